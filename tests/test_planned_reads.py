"""The compiled read path answers exactly as strawberry does, and is really used."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.helpers import planner_of
from tests.conftest import NO_COST_LIMIT, STAFF_TOKEN, api_client

CELL_FIELDS = "id code name level kind __typename"
PERSON_FIELDS = """id name kind role partyMember skills categories hours maxDeeds maxLead reach
availableFrom availableTo phone cell { code } organisation { name kind }"""
NEED_FIELDS = """id title description category channel scale urgency status needsLead volunteers
hours skills resourceRequests { kind quantity } windowFrom windowTo reportedOn createdAt
household { code headName address phone elderlyAlone disability lowIncome size
  contactPerson { name } visits { visitedOn topics notes person { name } } }
cell { code ancestors { code } }"""

PLANNED = {
    "whole grid": f"""{{ cells(level: TOWN) {{ totalCount pageInfo {{ hasNextPage endCursor }}
      nodes {{ {CELL_FIELDS} parent {{ code }} ancestors {{ code }} leader {{ name }}
        stats {{ people households needs openNeeds deeds deedsByStatus {{ status count }} }}
        children {{ {CELL_FIELDS} children {{ {CELL_FIELDS} resources {{ title kind capacity
          categories reach providerOrganisation {{ name }} providerPerson {{ name }} }}
          children {{ {CELL_FIELDS} leader {{ name phone }} people {{ {PERSON_FIELDS} }}
            households {{ code headName phone elderlyAlone contactPerson {{ name }} }}
            needs {{ {NEED_FIELDS} }} }} }} }} }} }} }}""",
    "needs page with variables": """query Needs($f: NeedFilter, $n: Int) {
      needs(filter: $f, first: $n) { totalCount edges { cursor node { title category urgency
        deed { title status } } } pageInfo { hasNextPage hasPreviousPage startCursor } } }""",
    "deeds with fragments and aliases": """
      fragment P on Person { name partyMember }
      { deeds(first: 50) { nodes { ...D lead { ...P } squad: team { ...P } } } }
      fragment D on Deed { title status plan published publishedAt approvedAt doneAt
        need { title household { headName } } resources { quantity resource { title kind } }
        milestones { seq title dueOn doneOn } cell { ... on Cell { code } } }""",
    "resources, people, organisations": """{ resources(filter: {category: [SAFETY]}, first: 30) {
        nodes { title categories status createdAt closedAt unit description }
      } people(first: 40) { nodes { name phone } } organisations(first: 20) {
        nodes { name kind contactName contactPhone active cell { code } } } }""",
}

# Planned, but the run meets an error and hands the request to strawberry.
BAILS = {
    "page size error": "{ needs(first: 1000) { nodes { title } } }",
    "bad cursor": '{ needs(after: "nonsense") { nodes { title } } }',
}

# Never planned: strawberry answers them.
FALLBACK = {
    "node interface": '{ node(id: "Q2VsbDox") { id __typename ... on Cell { code } } }',
    "include directive": (
        "query($y: Boolean!) { cells(first: 2) { nodes { code @include(if: $y) } } }"
    ),
    "repeated key": "{ cells(first: 2) { nodes { code code } } }",
    "introspection": '{ __type(name: "Cell") { name } }',
    "validation error": "{ cells { nodes { nope } } }",
}


async def _post(client: Any, query: str, variables: dict[str, Any]) -> str:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    # Compare text of the parsed JSON re-dumped: key order counts, whitespace does not.
    return json.dumps(response.json(), ensure_ascii=False)


@pytest.mark.parametrize("token", [None, STAFF_TOKEN], ids=["public", "staff"])
async def test_planned_answers_equal_strawberry(read_only_demo_url: str, token: str | None) -> None:
    variables = {"f": {"category": ["DAILY_LIFE", "SAFETY"]}, "n": 25, "y": True}
    async with api_client(read_only_demo_url, token=token, **NO_COST_LIMIT) as fast:
        answers = {
            name: await _post(fast, q, variables)
            for name, q in {**PLANNED, **BAILS, **FALLBACK}.items()
        }
        planner = planner_of(fast)
        for name, query in PLANNED.items():
            assert planner.plan_for(query, None) is not None, f"{name} was not planned"
        for name, query in FALLBACK.items():
            assert planner.plan_for(query, None) is None, f"{name} should not be planned"
    async with api_client(
        read_only_demo_url, token=token, planned_reads=False, **NO_COST_LIMIT
    ) as slow:
        for name, query in {**PLANNED, **BAILS, **FALLBACK}.items():
            assert answers[name] == await _post(slow, query, variables), name
    for name in BAILS:
        assert json.loads(answers[name])["errors"], name
    # The data must be real, not two empty answers agreeing.
    whole = json.loads(answers["whole grid"])["data"]["cells"]["nodes"][0]
    assert whole["children"] and whole["stats"]["people"] > 0


async def test_personal_data_masked_on_the_planned_path(read_only_demo_url: str) -> None:
    query = "{ cells(level: GROUP, first: 5) { nodes { households { headName phone } } } }"
    async with api_client(read_only_demo_url) as public:
        body = json.loads(await _post(public, query, {}))
    households = [h for n in body["data"]["cells"]["nodes"] for h in n["households"]]
    assert households, "the demo groups have households"
    assert all(h == {"headName": None, "phone": None} for h in households)
    async with api_client(read_only_demo_url, token=STAFF_TOKEN) as staff:
        body = json.loads(await _post(staff, query, {}))
    households = [h for n in body["data"]["cells"]["nodes"] for h in n["households"]]
    assert all(h["headName"] for h in households)
