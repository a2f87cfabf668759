"""Every type, field, argument, input field and enum value of the read side of the schema has a
description (the mutation side's modules are checked by their own test)."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
)

from sandan.schema.build import build_schema

# Where the read side's schema elements are declared.
READ_MODULES = (
    "sandan.schema.types.",
    "sandan.schema.connections",
    "sandan.schema.inputs",
    "sandan.schema.query",
    "sandan.db.enums",
)


def _module(gql_type: GraphQLNamedType) -> str:
    definition: Any = gql_type.extensions.get("strawberry-definition")
    # A generic's specialisation (CellConnection) is declared where the generic is.
    definition = getattr(definition, "concrete_of", None) or definition
    origin = getattr(definition, "origin", None) or getattr(definition, "wrapped_cls", None)
    return str(getattr(origin, "__module__", ""))


def _undescribed(gql_type: GraphQLNamedType) -> list[str]:
    name = gql_type.name
    missing = [] if gql_type.description else [name]
    if isinstance(gql_type, (GraphQLObjectType, GraphQLInterfaceType)):
        for field_name, field in gql_type.fields.items():
            if not field.description:
                missing.append(f"{name}.{field_name}")
            missing += [
                f"{name}.{field_name}({arg})" for arg, a in field.args.items() if not a.description
            ]
    elif isinstance(gql_type, GraphQLInputObjectType):
        missing += [f"{name}.{f}" for f, field in gql_type.fields.items() if not field.description]
    elif isinstance(gql_type, GraphQLEnumType):
        missing += [f"{name}.{v}" for v, value in gql_type.values.items() if not value.description]
    return missing


def test_the_read_side_of_the_schema_is_described() -> None:
    schema = build_schema()._schema
    checked = [
        t
        for name, t in schema.type_map.items()
        if not name.startswith("__") and _module(t).startswith(READ_MODULES)
    ]
    assert {"Query", "Cell", "Household", "NeedConnection", "NeedEdge", "Urgency"} <= {
        t.name for t in checked
    }
    missing = [element for t in checked for element in _undescribed(t)]
    assert not missing, missing
