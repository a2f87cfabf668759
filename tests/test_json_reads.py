"""Roots built whole by PostgreSQL (sandan.db.json_reads) answer exactly as strawberry does,
for every viewer, in one statement; anything they cannot build stays on the other paths."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sandan.db import json_reads
from sandan.schema.fastpath import Planner
from tests.api.helpers import counting_statements, planner_of
from tests.conftest import NO_COST_LIMIT, STAFF_TOKEN, api_app, api_client

TOWN, VILLAGE, OTHER_VILLAGE = "NH-JJ", "NH-JJ-01", "NH-JJ-02"
VILLAGE_TOKEN = "json-reads-village-token"
STAFF = {STAFF_TOKEN: "*", VILLAGE_TOKEN: VILLAGE}

PERSON = """id __typename name kind role partyMember skills categories hours maxDeeds maxLead
  reach availableFrom availableTo phone"""
ORGANISATION = "id name kind contactName contactPhone description active cell { code }"
CELL = "id __typename code name level kind"

# Every field the SQL path lists, at every depth the demo reaches.
WHOLE_TOWN = f"""query($code: String!) {{ cell(code: $code) {{ {CELL} parent {{ {CELL} }}
  leader {{ {PERSON} }}
  children {{ {CELL} leader {{ name phone }} children {{ {CELL} parent {{ code }}
    children {{ {CELL} leader {{ {PERSON} cell {{ code }} }}
      people {{ {PERSON} organisation {{ {ORGANISATION} }} cell {{ code parent {{ code }} }} }}
    }} }} }} }} }}"""
VILLAGE_PEOPLE = f"""query($code: String!) {{ cell(code: $code) {{ code leader {{ {PERSON} }}
  children {{ code children {{ code people {{ {PERSON} }} }} }} }} }}"""
BY_ID_WITH_ALIASES = """
  fragment P on Person { who: name phone }
  query($id: ID!) { here: cell(id: $id) { code branches: children { code
    groups: children { ... on Cell { code } members: people { ...P } } } } }"""
# Two roots: one built in PostgreSQL, one page through the loaders, in one answer.
MIXED = """query($code: String!) { cell(code: $code) { code people { name } }
  cells(level: BRANCH, first: 3) { nodes { code people { name phone } } } }"""

# `publicText`, not `description`: a need's visit text is a household's personal data, which
# stays on the loader path where the audit trail sees it (schema/read_audit.py).
NEED = """id __typename title publicText category channel scale urgency status needsLead
  volunteers hours skills windowFrom windowTo reportedOn closeReason cell { code name }"""
NEEDS_PAGE = f"""query($f: NeedFilter, $n: Int, $after: String) {{
  needs(filter: $f, first: $n, after: $after) {{ __typename totalCount
    pageInfo {{ __typename hasNextPage hasPreviousPage startCursor endCursor }}
    edges {{ __typename cursor node {{ {NEED} }} }} nodes {{ title }} }} }}"""
OTHER_PAGES = f"""{{ people(first: 40, after: "Y3Vyc29yOjU=") {{ nodes {{ {PERSON} cell {{ code }}
    organisation {{ name }} }} pageInfo {{ endCursor }} }}
  resources(filter: {{category: [SAFETY]}}, first: 30) {{ totalCount nodes {{ id title kind
    categories capacity unit reach availableFrom availableTo status description
    providerOrganisation {{ name kind }} providerPerson {{ name phone }} cell {{ code }} }} }}
  organisations(first: 20) {{ nodes {{ {ORGANISATION} }} }}
  cells(level: GROUP, first: 5) {{ edges {{ cursor
    node {{ {CELL} leader {{ name phone }} }} }} }} }}"""
CURSOR_5 = "Y3Vyc29yOjU="  # base64("cursor:5")

QUERIES = {
    "whole town": (WHOLE_TOWN, {"code": TOWN}),
    "own village": (VILLAGE_PEOPLE, {"code": VILLAGE}),
    "other village": (VILLAGE_PEOPLE, {"code": OTHER_VILLAGE}),
    "by id, aliases, fragments": (BY_ID_WITH_ALIASES, {}),  # id filled in below
    "mixed roots": (MIXED, {"code": VILLAGE}),
    "unknown code": ('{ cell(code: "NOPE") { code children { code } } }', {}),
    "needs page": (NEEDS_PAGE, {"f": {"category": ["DAILY_LIFE", "SAFETY"]}, "n": 2}),
    "needs page after": (NEEDS_PAGE, {"f": {"status": ["OPEN"]}, "n": 3, "after": CURSOR_5}),
    "needs page under a village": (NEEDS_PAGE, {"f": {"search": "收集"}, "n": 100}),
    "empty page": (NEEDS_PAGE, {"n": 0, "after": CURSOR_5}),
    "past the end": (NEEDS_PAGE, {"n": 5, "after": "Y3Vyc29yOjk5OTk5OTk="}),
    "other pages": (OTHER_PAGES, {}),
    # Answered with errors: strawberry's.
    "page too large": (NEEDS_PAGE, {"n": 1000}),
    "bad cursor": (NEEDS_PAGE, {"after": "nonsense"}),
    "bad filter cell": (NEEDS_PAGE, {"f": {"under": "UGVyc29uOjE="}}),
    "bad id": ('{ cell(id: "nonsense") { code } }', {}),
    "id of another type": ('{ cell(id: "UGVyc29uOjE=") { code } }', {}),
    "both arguments": ('{ cell(id: "Q2VsbDox", code: "NH") { code } }', {}),
    "no argument": ("{ cell { code } }", {}),
}


async def _answer(client: Any, query: str, variables: dict[str, Any]) -> Any:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return response.json()


async def _village_id(url: str) -> str:
    async with api_client(url, staff_tokens=STAFF) as client:
        body = await _answer(client, '{ cell(code: "NH-JJ-01") { id } }', {})
    return str(body["data"]["cell"]["id"])


@pytest.mark.parametrize(
    "token", [None, STAFF_TOKEN, VILLAGE_TOKEN], ids=["public", "staff", "village-staff"]
)
async def test_json_roots_answer_as_strawberry(
    read_only_demo_url: str, backend: str, token: str | None
) -> None:
    queries = dict(QUERIES)
    queries["by id, aliases, fragments"] = (
        BY_ID_WITH_ALIASES,
        {"id": await _village_id(read_only_demo_url)},
    )
    limits = NO_COST_LIMIT
    async with api_client(read_only_demo_url, token=token, staff_tokens=STAFF, **limits) as fast:
        answers = {name: await _answer(fast, q, v) for name, (q, v) in queries.items()}
    async with api_client(
        read_only_demo_url, token=token, staff_tokens=STAFF, planned_reads=False, **limits
    ) as slow:
        for name, (query, variables) in queries.items():
            expected = await _answer(slow, query, variables)
            # Key order counts (json.dumps keeps it), whitespace does not.
            assert json.dumps(answers[name]) == json.dumps(expected), name

    town = answers["whole town"]["data"]["cell"]
    people = [
        p
        for v in town["children"]
        for b in v["children"]
        for g in b["children"]
        for p in g["people"]
    ]
    assert len(people) > 10 and any(p["organisation"] for p in people)
    phones = {v: _phones(answers[f"{v} village"]) for v in ("own", "other")}
    # Members' phones: staff of the whole grid see all, village staff their own village only.
    expect_own = token is not None
    expect_other = token == STAFF_TOKEN
    assert phones["own"] and all((phone is not None) == expect_own for phone in phones["own"])
    assert all((phone is not None) == expect_other for phone in phones["other"])
    assert answers["unknown code"] == {"data": {"cell": None}}
    for name in ("bad id", "id of another type", "both arguments", "no argument"):
        assert answers[name].get("errors"), name
    for name in ("page too large", "bad cursor", "bad filter cell"):
        assert answers[name].get("errors"), name
    page = answers["needs page"]["data"]["needs"]
    assert len(page["edges"]) == 2 and page["pageInfo"]["hasNextPage"]
    after = answers["needs page after"]["data"]["needs"]
    assert after["pageInfo"]["hasPreviousPage"] and after["edges"]
    assert answers["needs page under a village"]["data"]["needs"]["edges"]
    assert answers["empty page"]["data"]["needs"]["pageInfo"]["endCursor"] == CURSOR_5
    people = answers["other pages"]["data"]["people"]["nodes"]
    assert (token is not None) == any(p["phone"] for p in people)


def _phones(body: Any) -> list[str | None]:
    village = body["data"]["cell"]
    return [p["phone"] for b in village["children"] for g in b["children"] for p in g["people"]]


async def test_a_json_page_is_one_statement_on_postgresql(
    read_only_demo_url: str, backend: str
) -> None:
    variables = {"f": {"category": ["DAILY_LIFE"]}, "n": 10}
    async with api_app(read_only_demo_url, token=STAFF_TOKEN) as (client, state):
        with counting_statements(state.engine) as counter:
            body = await _answer(client, NEEDS_PAGE, variables)
        assert body["data"]["needs"]["edges"]
        root = planner_of(client).plan_for(NEEDS_PAGE, None).roots[0]  # type: ignore[union-attr]
    if backend == "postgresql":
        assert root.json_page is not None
        assert counter.count == 1, counter.statements
    else:
        assert root.json_page is None
        assert counter.count > 1


async def test_a_json_root_is_one_statement_on_postgresql(
    read_only_demo_url: str, backend: str
) -> None:
    async with api_app(read_only_demo_url, token=STAFF_TOKEN) as (client, state):
        with counting_statements(state.engine) as counter:
            body = await _answer(client, WHOLE_TOWN, {"code": TOWN})
        assert body["data"]["cell"]["children"]
        planner: Planner = planner_of(client)
        root = planner.plan_for(WHOLE_TOWN, None).roots[0]  # type: ignore[union-attr]
    if backend == "postgresql":
        assert set(root.json_queries) == {"code", "id"}
        assert counter.count == 1, counter.statements
    else:
        # SQLite has no json_agg ordering and JSON types to match: the loader path answers.
        assert root.json_queries == {}
        assert counter.count > 1


@pytest.mark.parametrize(
    "selection",
    [
        "stats { people }",  # a counted field: loaders only
        "ancestors { code }",  # a list of keys
        "households { code }",  # not listed for SQL
        "people { cell { stats { needs } } }",  # deep below a listed relation
    ],
)
async def test_selections_it_cannot_build_stay_on_the_loaders(
    read_only_demo_url: str, backend: str, selection: str
) -> None:
    query = f'{{ cell(code: "{VILLAGE}") {{ code {selection} }} }}'
    async with api_client(read_only_demo_url, token=STAFF_TOKEN) as client:
        fast = await _answer(client, query, {})
        root = planner_of(client).plan_for(query, None).roots[0]  # type: ignore[union-attr]
        assert root.json_queries == {}
    async with api_client(read_only_demo_url, token=STAFF_TOKEN, planned_reads=False) as slow:
        assert fast == await _answer(slow, query, {})
    assert fast["data"]["cell"]["code"] == VILLAGE


CODE_ONLY = json_reads.Node("cells", (json_reads.Value("code", "code"),))


def test_listed_names_reach_the_sql() -> None:
    assert "t1.code" in json_reads.compile_root("cell_by_code", CODE_ONLY).sql


@pytest.mark.parametrize(
    ("relation", "node"),
    [
        ("cell_by_code", json_reads.Node("cells", (json_reads.Value("x", "secret"),))),
        ("households_by_cell_id", CODE_ONLY),
        ("cell_by_code", json_reads.Node("pg_authid", ())),
        ("cell_by_code", json_reads.Node("cells", (json_reads.Constant("k", "x'; drop"),))),
        # A list relation cannot be a root, and a relation must give the node's own table.
        ("children_by_cell_id", CODE_ONLY),
        ("person_by_id", CODE_ONLY),
    ],
    ids=["column", "relation", "table", "constant", "list root", "wrong table"],
)
def test_unlisted_names_never_reach_the_sql(relation: str, node: json_reads.Node) -> None:
    with pytest.raises(json_reads.UnknownName):
        json_reads.compile_root(relation, node)
