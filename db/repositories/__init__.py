"""All SQL of the application: batched reads for the loaders, filtered pages, and writes."""
