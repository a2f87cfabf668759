"""publicDeeds: the published deeds with progress, plan dates and lead, for anyone without a
token, and no path to residents' personal data."""

from __future__ import annotations

import json
from typing import Any

from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType

from sandan.app import create_app
from sandan.settings import Settings
from tests.api.helpers import data_of, gid, only_error, sql, walk
from tests.conftest import STAFF_TOKEN, api_client, gql
from tests.web.helpers import board_facts

DEED = """id title status category needTitle publishedAt doneAt
          cell { code name level kind }
          lead { name role kind }
          progress { percent source milestonesDone milestonesTotal }
          milestones { seq title dueOn doneOn }
          satisfaction { average ratings }"""

BOARD = f"""
query($cell: String, $filter: PublicDeedFilter, $first: Int, $after: String) {{
  publicDeeds(cell: $cell, filter: $filter, first: $first, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {DEED} }}
  }}
}}
"""

PAGED = """
query($first: Int, $after: String) {
  publicDeeds(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
  }
}
"""

# A deed filed at a household-contact group is on the board at the group's branch.
PUBLISHED = """
SELECT d.id, d.title, d.status, d.done_at, d.lead_id, c.path, c.level, c.code AS filed_code,
       CASE WHEN c.level = 'GROUP' THEN b.code ELSE c.code END AS cell_code,
       b.code AS parent_code, n.title AS need_title, n.category, p.name AS lead_name,
       p.role AS lead_role
FROM deeds d JOIN cells c ON c.id = d.cell_id JOIN needs n ON n.id = d.need_id
LEFT JOIN cells b ON b.id = c.parent_id LEFT JOIN people p ON p.id = d.lead_id
WHERE d.published = :yes ORDER BY d.id
"""


async def published(url: str) -> list[dict[str, Any]]:
    return await sql(url, PUBLISHED, {"yes": True})


async def board(url: str, **variables: Any) -> dict[str, Any]:
    async with api_client(url) as client:  # no token: the public
        body = await gql(client, BOARD, {"first": 100, **variables})
    page: dict[str, Any] = data_of(body)["publicDeeds"]
    return page


async def test_the_public_sees_every_published_deed_as_the_database_holds_it(
    read_only_demo_url: str,
) -> None:
    url = read_only_demo_url
    rows = await published(url)
    assert rows, "the demo must publish deeds for the board to show"
    page = await board(url)
    assert page["totalCount"] == len(rows)
    assert [n["id"] for n in page["nodes"]] == [gid("Deed", r["id"]) for r in rows]
    steps = await sql(url, "SELECT deed_id, seq, title, due_on, done_on FROM deed_milestones")
    reports = await sql(url, "SELECT deed_id, month, percent FROM deed_reports ORDER BY month")
    latest = {r["deed_id"]: r["percent"] for r in reports}  # the last month wins
    ratings = {r["deed_id"]: r["rating"] for r in await sql(url, "SELECT * FROM deed_feedback")}
    for node, row in zip(page["nodes"], rows, strict=True):
        mine = sorted((s for s in steps if s["deed_id"] == row["id"]), key=lambda s: s["seq"])
        assert node["title"] == row["title"]
        assert node["status"] == row["status"]
        assert node["needTitle"] == row["need_title"]
        assert node["category"] == row["category"]
        assert node["cell"]["code"] == row["cell_code"]
        assert node["lead"] == (
            None if row["lead_id"] is None else {**node["lead"], "name": row["lead_name"]}
        )
        assert node["lead"] is None or node["lead"]["role"] == row["lead_role"]
        assert [(m["seq"], m["title"], m["dueOn"], m["doneOn"]) for m in node["milestones"]] == [
            (s["seq"], s["title"], _iso(s["due_on"]), _iso(s["done_on"])) for s in mine
        ]
        done = sum(1 for s in mine if s["done_on"] is not None)
        # The latest monthly report's figure when there is one, else the plan's share done.
        expected = latest.get(row["id"], round(100 * done / len(mine)))
        if row["done_at"] is not None:
            expected = 100
        assert node["progress"] == {
            "percent": expected,
            "source": "REPORTS" if row["id"] in latest else "MILESTONES",
            "milestonesDone": done,
            "milestonesTotal": len(mine),
        }
        # The household's rating where it rated; no figure is invented for the others.
        rated = ratings.get(row["id"])
        assert node["satisfaction"] == (
            None if rated is None else {"average": float(rated), "ratings": 1}
        )


def _iso(value: Any) -> str | None:
    return None if value is None else str(value)[:10]


async def test_a_cell_narrows_the_board_to_its_subtree(read_only_demo_url: str) -> None:
    url = read_only_demo_url
    rows = await published(url)
    cells = await sql(url, "SELECT code, path FROM cells WHERE level IN ('TOWN', 'VILLAGE')")
    assert len(cells) >= 2
    for cell in cells:
        page = await board(url, cell=cell["code"])
        expected = [gid("Deed", r["id"]) for r in rows if r["path"].startswith(cell["path"])]
        assert [n["id"] for n in page["nodes"]] == expected, cell


async def test_a_deed_filed_at_a_group_is_on_the_board_at_its_branch(
    read_only_demo_url: str,
) -> None:
    url = read_only_demo_url
    rows = await published(url)
    at_groups = [r for r in rows if r["level"] == "GROUP"]
    assert at_groups, "the demo must publish a deed of a group's need"
    assert all(n["cell"]["level"] != "GROUP" for n in (await board(url))["nodes"])
    for row in at_groups:
        # The group's own code lists none of its deeds; its branch's lists them all.
        assert (await board(url, cell=row["filed_code"]))["nodes"] == []
        assert (await board(url, cell=row["filed_code"]))["totalCount"] == 0
        branch = await board(url, cell=row["parent_code"])
        shown = {n["id"]: n["cell"] for n in branch["nodes"]}
        assert shown[gid("Deed", row["id"])]["code"] == row["parent_code"]
    # Staff whose scope covers the group are shown the board as the public sees it too.
    async with api_client(url, token=STAFF_TOKEN) as client:
        body = await gql(client, BOARD, {"first": 100})
    assert data_of(body)["publicDeeds"] == await board(url)


async def test_filters_and_pages(read_only_demo_url: str) -> None:
    url = read_only_demo_url
    rows = await published(url)
    first = rows[0]
    page = await board(url, filter={"status": [first["status"]]})
    assert {n["status"] for n in page["nodes"]} == {first["status"]}
    assert page["totalCount"] == sum(1 for r in rows if r["status"] == first["status"])
    page = await board(url, filter={"search": first["title"]})
    assert first["title"] in [n["title"] for n in page["nodes"]]
    assert all(first["title"] in n["title"] for n in page["nodes"])
    async with api_client(url) as client:
        nodes, pages, total = await walk(client, PAGED, {}, "publicDeeds", first=1)
    assert [n["id"] for n in nodes] == [gid("Deed", r["id"]) for r in rows]
    assert total == len(rows) and len(pages) >= len(rows)


async def test_an_unknown_cell_is_a_typed_error(read_only_demo_url: str) -> None:
    async with api_client(read_only_demo_url) as client:
        body = await gql(client, BOARD, {"cell": "NO-SUCH-CELL"})
    error = only_error(body)
    assert error["extensions"] == {"code": "NOT_FOUND", "field": "cell"}
    assert "NO-SUCH-CELL" in error["message"]


# Field names that carry residents' personal data anywhere in the schema.
PERSONAL_FIELDS = {"household", "households", "headName", "address", "phone", "notes", "visits"}


def test_no_public_type_leads_to_personal_data() -> None:
    """Every type reachable from publicDeeds, however deep: none has a field that could hold
    a resident's (or a member's) personal data, or lead to a type that does."""
    schema = create_app(Settings(database_url="sqlite+aiosqlite://")).state.schema._schema
    root = schema.query_type.fields["publicDeeds"].type
    seen: set[str] = set()
    stack = [root]
    while stack:
        named = stack.pop()
        while isinstance(named, (GraphQLNonNull, GraphQLList)):
            named = named.of_type
        if not isinstance(named, GraphQLObjectType) or named.name in seen:
            continue
        seen.add(named.name)
        leaked = PERSONAL_FIELDS & set(named.fields)
        assert not leaked, (named.name, leaked)
        assert "description" not in named.fields, named.name
        stack.extend(f.type for f in named.fields.values())
    assert {"PublicDeed", "PublicLead", "PublicCell", "PublicMilestone"} <= seen
    assert not {"Deed", "Need", "Person", "Household", "Cell"} & seen


async def test_the_answer_holds_no_personal_value(read_only_demo_url: str) -> None:
    """The whole response text against every resident's name, phone and address and every
    member's phone in the database."""
    url = read_only_demo_url
    async with api_client(url) as client:
        response = await client.post("/graphql", json={"query": BOARD, "variables": {"first": 100}})
    # Compared as decoded text: the wire form may escape Chinese characters.
    text = json.dumps(response.json(), ensure_ascii=False)
    assert '"publicDeeds"' in text
    secrets = (await board_facts(url)).secrets
    assert len(secrets) > 10
    assert [s for s in secrets if s in text] == []
