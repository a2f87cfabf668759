"""The compiled read path (planned reads) answers exactly what strawberry's resolvers answer."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import gid, sql
from tests.conftest import NO_COST_LIMIT, STAFF_TOKEN, api_client, gql

HOUSEHOLD = "id code size headName address phone elderlyAlone disability lowIncome visits { id }"

QUERIES: list[tuple[str, dict[str, Any]]] = [
    (
        """query($code: String!) { cell(code: $code) {
             id code name level kind parent { code } ancestors { code }
             stats { people households needs openNeeds deeds deedsByStatus { status count } }
             children { code leader { name phone organisation { name } }
               children { code needs { title household { id headName } deed { title } }
                 resources { title categories providerPerson { name phone } }
                 children { code households { HOUSEHOLD contactPerson { name } }
                   people { name phone partyMember skills categories reach cell { code } }
        } } } } }""".replace("HOUSEHOLD", HOUSEHOLD),
        {"code": "$TOWN"},
    ),
    (
        """{ needs(first: 7, filter: {status: [OPEN]}) { totalCount
             pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
             edges { cursor node { id title category urgency skills
                                   resourceRequests { kind quantity }
                                   cell { code } household { headName } } } } }""",
        {},
    ),
    (
        """{ deeds { nodes { title status published lead { name phone } team { name }
             need { title } milestones { seq title dueOn } resources { quantity resource { title } }
             cell { ancestors { name } } } } }""",
        {},
    ),
    ("{ resources(filter: {category: [SAFETY]}) { totalCount nodes { title categories } } }", {}),
    ('{ people(first: 50, search: "陈") { totalCount nodes { name phone cell { code } } } }', {}),
    ("{ organisations(first: 50) { totalCount nodes { name kind active cell { name } } } }", {}),
    ("{ cells(level: GROUP, first: 50) { nodes { code leader { name } people { name } } } }", {}),
    (
        """query($h: ID!, $n: ID!) {
             a: node(id: $h) { __typename id ... on Household { HOUSEHOLD } }
             b: node(id: $n) { __typename id ... on Need { title household { headName } } }
        }""".replace("HOUSEHOLD", HOUSEHOLD),
        {"h": "$HOUSEHOLD", "n": "$NEED"},
    ),
]


@pytest.mark.parametrize("token", [None, STAFF_TOKEN], ids=["public", "staff"])
async def test_planned_reads_match_strawberry(read_only_demo_url: str, token: str | None) -> None:
    url = read_only_demo_url
    town = (await sql(url, "SELECT code FROM cells WHERE level = 'TOWN'"))[0]["code"]
    need = (await sql(url, "SELECT MIN(id) AS id FROM needs WHERE household_id IS NOT NULL"))[0]
    household = (await sql(url, "SELECT MIN(id) AS id FROM households"))[0]
    fill = {
        "$TOWN": town,
        "$NEED": gid("Need", need["id"]),
        "$HOUSEHOLD": gid("Household", household["id"]),
    }
    answers: dict[bool, list[dict[str, Any]]] = {}
    for planned in (True, False):
        async with api_client(url, token=token, planned_reads=planned, **NO_COST_LIMIT) as client:
            answers[planned] = []
            for query, variables in QUERIES:
                filled = {k: fill.get(v, v) for k, v in variables.items()}
                body = await gql(client, query, filled)
                assert "errors" not in body, (query, body)
                answers[planned].append(body)
    for (query, _), planned, plain in zip(QUERIES, answers[True], answers[False], strict=True):
        assert planned == plain, query
