"""The GraphQL schema: strawberry types, inputs, and the Schema object."""
