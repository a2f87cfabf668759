"""The logic behind mutations: declared field rules, one engine, one transaction per mutation."""
