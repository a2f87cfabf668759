"""The GraphQL schema: strawberry types, inputs, and the Schema object."""

from sandan.schema import enums as enums  # registers the database enums as GraphQL enums
