"""Every root field of the Query type, as every role, returns none of the personal values of
households (and members) outside that role's scope.

The queries are built from the schema: each root field is asked once per role, with a selection
set expanded over every field down to a depth (interfaces through inline fragments on each of
their types), its required arguments filled from the data and its pages kept small and under a
cell of another village. A field added to the schema is asked the day it is added; the depth
shrinks until the query fits the caller's cost budget (schema.cost), so the walk stays within
what any client may ask.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
)

from sandan.db.enums import Role
from sandan.schema.build import build_schema
from tests.accounts import make_token
from tests.api.helpers import gid, sql
from tests.conftest import api_client

VILLAGE, OTHER_VILLAGE = "NH-JJ-01", "NH-JJ-02"
MAX_DEPTH = 5
# Each role once, scoped inside VILLAGE (the public and partners have no personal scope).
ROLES: dict[str, tuple[Role | None, str | None]] = {
    "public": (None, None),
    "town_admin": (Role.TOWN_ADMIN, "village"),
    "village_staff": (Role.VILLAGE_STAFF, "village"),
    "branch_secretary": (Role.BRANCH_SECRETARY, "branch"),
    "group_leader": (Role.GROUP_LEADER, "group"),
    "partner": (Role.PARTNER, "village"),
}


def _named(gql_type: Any) -> Any:
    while isinstance(gql_type, (GraphQLNonNull, GraphQLList)):
        gql_type = gql_type.of_type
    return gql_type


def _selection(
    schema: GraphQLSchema, gql_type: Any, depth: int, typename: bool = False
) -> str | None:
    """Every field of `gql_type` down to `depth` object levels (`typename`: and each object's
    __typename); None if nothing fits."""
    if isinstance(gql_type, (GraphQLInterfaceType, GraphQLUnionType)):
        parts = ["__typename"]
        for possible in schema.get_possible_types(gql_type):
            inner = _selection(schema, possible, depth, typename)
            if inner:
                parts.append(f"... on {possible.name} {inner}")
        return "{ " + " ".join(parts) + " }"
    if not isinstance(gql_type, GraphQLObjectType):
        return ""
    if depth == 0:
        return None
    parts = []
    for name, field in gql_type.fields.items():
        if any(isinstance(a.type, GraphQLNonNull) for a in field.args.values()):
            continue  # a nested field with required arguments: none so far
        if name == "edges":  # the same objects as `nodes`, at twice the cost
            continue
        below = _selection(schema, _named(field.type), depth - 1, typename)
        if below is None:
            continue
        parts.append(f"{name} {below}".strip())
    if not parts:
        return None
    return "{ " + " ".join((["__typename"] if typename else []) + parts) + " }"


def _arguments(field: GraphQLField, known: dict[str, str]) -> str | None:
    """Arguments for a root: pages small and under the other village, ids and codes of records
    outside the scope; None when a required argument has no rule here (the test fails)."""
    given = []
    for name, argument in field.args.items():
        required = isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined
        named = _named(argument.type)
        if name == "first":
            given.append("first: 2")
        elif name == "under":
            given.append(f'under: "{known["village"]}"')
        elif name == "filter" and isinstance(named, GraphQLInputObjectType):
            if "under" in named.fields:
                given.append(f'filter: {{under: "{known["village"]}"}}')
        elif name in known and (required or name in ("code",)):
            given.append(f'{name}: "{known[name]}"')
        elif name == "cell" and required:  # a cell-scoped root: the other village
            given.append(f'cell: "{known["village"]}"')
        elif name == "month" and required:
            given.append('month: "2026-06"')
        elif required:
            return None
    return f"({', '.join(given)})" if given else ""


def _queries(
    schema: GraphQLSchema, known: dict[str, str], depth: int, typename: bool = False
) -> dict[str, str]:
    assert schema.query_type is not None
    queries = {}
    for name, field in schema.query_type.fields.items():
        arguments = _arguments(field, known)
        assert arguments is not None, f"no rule to fill the required arguments of {name}"
        selection = _selection(schema, _named(field.type), depth, typename)
        queries[name] = f"{{ {name}{arguments} {selection or ''} }}"
    return queries


async def every_root(
    client: httpx.AsyncClient, known: dict[str, str], *, typename: bool = False
) -> AsyncIterator[tuple[str, str, httpx.Response]]:
    """(root, query, response) for every root field of the Query type, each asked once with
    every field down to the deepest level the caller's cost budget allows; `known` fills the
    arguments (see `_arguments`), `typename` adds every object's __typename."""
    schema = build_schema()._schema
    assert schema.query_type is not None
    for root in schema.query_type.fields:
        for depth in range(MAX_DEPTH, 0, -1):
            query = _queries(schema, known, depth, typename)[root]
            response = await client.post("/graphql", json={"query": query})
            codes = [e.get("extensions", {}).get("code") for e in response.json().get("errors", [])]
            if "QUERY_TOO_COSTLY" not in codes:
                break
        assert response.status_code == 200, (query, response.text[:500])
        yield root, query, response


async def _secrets(url: str, scope_path: str | None) -> set[str]:
    """Personal values of records outside `scope_path` (None: all) that are not also values
    inside it or public words (members' names, organisations)."""
    rows = await sql(
        url,
        "SELECT c.path, h.head_name AS a, h.phone AS b, h.address AS c, NULL AS d "
        "FROM households h JOIN cells c ON c.id = h.cell_id "
        "UNION ALL SELECT c.path, p.phone, NULL, NULL, NULL FROM people p "
        "JOIN cells c ON c.id = p.cell_id "
        "UNION ALL SELECT c.path, n.description, NULL, NULL, NULL FROM needs n "
        "JOIN cells c ON c.id = n.cell_id "
        "UNION ALL SELECT c.path, v.notes, NULL, NULL, NULL FROM contact_visits v "
        "JOIN households h ON h.id = v.household_id JOIN cells c ON c.id = h.cell_id",
    )
    inside: set[str] = set()
    outside: set[str] = set()
    for row in rows:
        values = {v for k, v in row.items() if k != "path" and isinstance(v, str) and v}
        covered = scope_path is not None and row["path"].startswith(scope_path)
        (inside if covered else outside).update(values)
    public = await sql(
        url,
        "SELECT name AS v FROM people UNION SELECT name FROM organisations "
        "UNION SELECT contact_name FROM organisations "
        "UNION SELECT contact_phone FROM organisations",
    )
    words = {r["v"] for r in public if r["v"]}
    return {v for v in outside - inside if len(v) >= 2 and not any(v in w for w in words)}


async def _known(url: str) -> dict[str, Any]:
    cells = await sql(url, "SELECT id, code, level, path FROM cells ORDER BY path")
    village = next(c for c in cells if c["code"] == VILLAGE)
    other = next(c for c in cells if c["code"] == OTHER_VILLAGE)
    inside = [c for c in cells if c["path"].startswith(village["path"])]
    household = await sql(
        url,
        "SELECT h.id, c.code FROM households h JOIN cells c ON c.id = h.cell_id "
        "WHERE c.path LIKE :p ORDER BY h.id LIMIT 1",
        {"p": other["path"] + "%"},
    )
    return {
        "cells": {
            "village": village,
            "branch": next(c for c in inside if c["level"] == "BRANCH"),
            "group": next(c for c in inside if c["level"] == "GROUP"),
        },
        "args": {
            "village": gid("Cell", other["id"]),
            "id": gid("Household", household[0]["id"]),
            "code": household[0]["code"],
        },
    }


@pytest.mark.parametrize("role_name", ROLES)
async def test_no_root_field_leaks_personal_data_outside_the_scope(
    demo_url: str, role_name: str
) -> None:
    role, level = ROLES[role_name]
    known = await _known(demo_url)
    token = None
    scope_path = None
    if role is not None:
        assert level is not None
        cell = known["cells"][level]
        organisation = None
        if role is Role.PARTNER:
            organisation = str(
                (await sql(demo_url, "SELECT MIN(id) AS id FROM organisations"))[0]["id"]
            )
        else:
            scope_path = cell["path"]
        token = await make_token(demo_url, role, cell["code"], organisation_code=organisation)
    secrets = await _secrets(demo_url, scope_path)
    assert len(secrets) > 50, "the demo should hold personal data outside the scope"
    schema = build_schema()._schema
    asked = 0
    async with api_client(demo_url, token=token) as client:
        async for root, _query, response in every_root(client, known["args"]):
            leaked = [s for s in secrets if s in response.text]
            assert leaked == [], f"{role_name} read {leaked[:3]} through {root}"
            asked += 1
    assert asked == len(schema.query_type.fields) if schema.query_type else False
