"""Every field marked personal is null for the public and for staff of another subtree, and
present for staff whose scope covers it, on every read path; a field whose name looks personal
must be marked personal or declared public with a reason.

The test walks the schema rather than a list of fields, so a new personal field is covered the
moment it is marked, and a new field that looks personal but is neither marked nor declared
public fails `test_fields_that_look_personal_are_marked_or_declared_public`.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
)

from sandan.schema.build import build_schema
from sandan.schema.types.fields import personal_rule
from tests.conftest import api_client, gql

# Names of fields that usually hold personal data (residents' names, phones, addresses, visit
# text, vulnerability flags, which household something concerns, contact and identity details).
LOOKS_PERSONAL = re.compile(
    r"name|phone|address|notes|head|description|visit|disab|elderly|income|household"
    r"|email|birth|identity|health",
    re.IGNORECASE,
)

IN_SCOPE, OTHER = "NH-JJ-01", "NH-JJ-02"
VILLAGE_TOKEN, OTHER_TOKEN = "personal-fields-village-token", "personal-fields-other-token"
STAFF = {VILLAGE_TOKEN: IN_SCOPE, OTHER_TOKEN: OTHER}
# Read paths: strawberry alone, the compiled path, the compiled path with PostgreSQL JSON roots.
PATHS = {
    "strawberry": {"planned_reads": False},
    "compiled": {"planned_reads": True, "json_reads": False},
    "json": {"planned_reads": True, "json_reads": True},
}


def _schema() -> GraphQLSchema:
    return build_schema()._schema


def _named(gql_type: Any) -> Any:
    while isinstance(gql_type, (GraphQLNonNull, GraphQLList)):
        gql_type = gql_type.of_type
    return gql_type


def _definition(field: GraphQLField) -> Any:
    return field.extensions["strawberry-definition"]


def _object_fields(schema: GraphQLSchema) -> list[tuple[str, str, GraphQLField]]:
    return [
        (type_name, field_name, field)
        for type_name, gql_type in sorted(schema.type_map.items())
        if isinstance(gql_type, GraphQLObjectType) and not type_name.startswith("__")
        for field_name, field in gql_type.fields.items()
    ]


def _readable_types(schema: GraphQLSchema) -> set[str]:
    """Object types a query can return (mutation payloads return these same types)."""
    assert schema.query_type is not None
    found: set[str] = set()
    stack: list[GraphQLObjectType] = [schema.query_type]
    while stack:
        gql_type = stack.pop()
        if gql_type.name in found:
            continue
        found.add(gql_type.name)
        for field in gql_type.fields.values():
            below = _named(field.type)
            if isinstance(below, GraphQLObjectType):
                stack.append(below)
            elif isinstance(below, GraphQLInterfaceType):  # `node`: any implementation
                stack.extend(schema.get_possible_types(below))
    return found


def test_fields_that_look_personal_are_marked_or_declared_public() -> None:
    schema = _schema()
    readable = _readable_types(schema)
    unmarked = []
    for type_name, field_name, field in _object_fields(schema):
        if type_name not in readable:
            continue
        if not LOOKS_PERSONAL.search(field_name):
            continue
        definition = _definition(field)
        public = (definition.metadata or {}).get("public")
        if personal_rule(definition) is None and not public:
            unmarked.append(f"{type_name}.{field_name}")
    assert not unmarked, (
        "mark these personal (column(personal=...), via(personal=...)) or declare them public "
        f"with a reason (column(public=...), public_field(...)): {unmarked}"
    )


def test_personal_fields_are_described_as_such() -> None:
    for type_name, field_name, field in _object_fields(_schema()):
        if personal_rule(_definition(field)) is not None:
            assert "Personal data" in (field.description or ""), f"{type_name}.{field_name}"


@dataclass(frozen=True)
class Probe:
    """A query reaching `field` of `type_name` under the in-scope village, and the path of
    response keys to the objects that carry it."""

    type_name: str
    field: str
    query: str
    path: tuple[str, ...]


def _root_arguments(field: GraphQLField) -> str | None:
    """Arguments that keep a root under $village (None: the root cannot be kept there)."""
    args = []
    if "under" in field.args:
        args.append("under: $village")
    elif "filter" in field.args:
        flt = _named(field.args["filter"].type)
        if not isinstance(flt, GraphQLInputObjectType) or "under" not in flt.fields:
            return None
        args.append("filter: {under: $village}")
    elif "id" in field.args:
        args.append("id: $village")
    else:
        return None
    if "first" in field.args:
        args.append("first: 100")
    return ", ".join(args)


def _fields_of(field: GraphQLField) -> dict[str, GraphQLField]:
    returned = _named(field.type)
    return returned.fields if isinstance(returned, GraphQLObjectType) else {}


def _probes(schema: GraphQLSchema) -> list[Probe]:
    """For every personal field, the shortest way down to its type from a root kept under the
    village, never through another personal field (that would hide the objects themselves)."""
    query_type = schema.query_type
    assert query_type is not None
    # (type, opening text, closing text, response path), breadth first.
    queue: deque[tuple[GraphQLObjectType, str, str, tuple[str, ...]]] = deque()
    # Connection roots first: a page under the village reaches every row of its subtree.
    roots = sorted(query_type.fields.items(), key=lambda item: "nodes" not in _fields_of(item[1]))
    for name, field in roots:
        arguments = _root_arguments(field)
        returned = _named(field.type)
        if arguments is None or not isinstance(returned, GraphQLObjectType):
            continue
        if "nodes" in returned.fields:  # a connection: its nodes
            queue.append(
                (
                    _named(returned.fields["nodes"].type),
                    f"{name}({arguments}) {{ nodes {{",
                    "} }",
                    (name, "nodes"),
                )
            )
        else:
            queue.append((returned, f"{name}({arguments}) {{", "}", (name,)))
    reached: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    while queue:
        gql_type, opening, closing, path = queue.popleft()
        if gql_type.name in reached or len(path) > 5:
            continue
        reached[gql_type.name] = (opening, closing, path)
        for field_name, field in gql_type.fields.items():
            below = _named(field.type)
            if (
                isinstance(below, GraphQLObjectType)
                and not field.args
                and personal_rule(_definition(field)) is None
            ):
                queue.append(
                    (below, f"{opening} {field_name} {{", f"}} {closing}", (*path, field_name))
                )
    probes = []
    for type_name, field_name, field in _object_fields(schema):
        if personal_rule(_definition(field)) is None:
            continue
        assert type_name in reached, f"no root reaches {type_name} under a village"
        opening, closing, path = reached[type_name]
        selection = field_name
        if isinstance(_named(field.type), GraphQLObjectType):
            selection = f"{field_name} {{ __typename }}"
        query = f"query($village: ID!) {{ {opening} id {selection} {closing} }}"
        probes.append(Probe(type_name, field_name, query, path))
    return probes


PROBES = _probes(_schema())


def _values(data: Any, path: tuple[str, ...], field: str) -> list[Any]:
    """The probed field's value on every object the path reaches."""
    level = [data]
    for key in path:
        below: list[Any] = []
        for item in level:
            value = item[key]
            if isinstance(value, list):
                below.extend(value)
            elif value is not None:
                below.append(value)
        level = below
    return [item[field] for item in level]


def test_every_personal_field_has_a_probe() -> None:
    assert {(p.type_name, p.field) for p in PROBES} >= {
        ("Person", "phone"),
        ("Household", "headName"),
        ("Household", "visits"),
        ("Need", "household"),
    }


@pytest.mark.parametrize("probe", PROBES, ids=[f"{p.type_name}.{p.field}" for p in PROBES])
async def test_personal_fields_are_null_outside_the_scope_on_every_path(
    read_only_demo_url: str, probe: Probe
) -> None:
    async with api_client(read_only_demo_url, staff_tokens=STAFF) as client:
        body = await gql(client, f'{{ cell(code: "{IN_SCOPE}") {{ id }} }}')
    village = body["data"]["cell"]["id"]
    answers: dict[tuple[str, str], Any] = {}
    for path_name, settings in PATHS.items():
        for caller, token in (("public", None), ("other", OTHER_TOKEN), ("in", VILLAGE_TOKEN)):
            async with api_client(
                read_only_demo_url, token=token, staff_tokens=STAFF, **settings
            ) as client:
                body = await gql(client, probe.query, {"village": village})
            assert "errors" not in body, (probe.query, body)
            answers[path_name, caller] = body["data"]
            values = _values(body["data"], probe.path, probe.field)
            assert values, f"{probe.query} reaches no {probe.type_name}"
            where = f"{probe.type_name}.{probe.field} for {caller} on the {path_name} path"
            if caller == "in":
                assert any(v not in (None, []) for v in values), where
            else:
                assert all(v is None for v in values), where
    for caller in ("public", "other", "in"):
        assert (
            answers["strawberry", caller] == answers["compiled", caller] == answers["json", caller]
        )
