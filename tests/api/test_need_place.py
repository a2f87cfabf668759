"""A need filed at a household-contact group, and the deeds and partner tasks taken from it, is
shown at the group's branch to every caller whose personal scope does not cover the group
(sandan.db.place): the public, partners, staff of another village, the leader of a sibling
group. Staff whose scope covers the group see the group.

The walk asks every root field of the schema (tests/api/test_no_personal_leaks.py builds the
queries), with the group wherever a root takes a cell and a need of the group wherever it takes
an id, and looks at every object of every answer: no need, deed or task is at the group, no list
or count of the group holds them, and no root narrowed to the group returns them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from sandan.db.enums import Role
from sandan.schema.build import build_schema
from tests.accounts import make_token
from tests.api.helpers import data_of, execute, gid, scalar, sql
from tests.api.test_no_personal_leaks import every_root
from tests.conftest import NO_COST_LIMIT, STAFF_TOKEN, api_client, gql

VILLAGE, OTHER_VILLAGE = "NH-JJ-01", "NH-JJ-02"
# Objects placed by their need, and the fields a group's own rows would show in.
PLACED = {"Need", "Deed", "PartnerTask", "PublicDeed"}
COUNTS = ("needs", "openNeeds", "deeds", "ratedDeeds", "overdueDeeds", "stalledDeeds")


@dataclass
class Group:
    pk: int
    code: str
    branch_pk: int
    branch_code: str
    needs: list[int]
    deed: int
    task: str

    @property
    def gid(self) -> str:
        return gid("Cell", self.pk)


async def _group(url: str) -> Group:
    """The group of the other village with the most needs, its deed published and one of its
    open needs opened to partners."""
    rows = await sql(
        url,
        "SELECT c.id, c.code, b.id AS branch_id, b.code AS branch_code, COUNT(n.id) AS n "
        "FROM cells c JOIN cells b ON b.id = c.parent_id JOIN cells v ON v.id = b.parent_id "
        "JOIN needs n ON n.cell_id = c.id WHERE c.level = 'GROUP' AND v.code = :village "
        "GROUP BY c.id, c.code, b.id, b.code ORDER BY COUNT(n.id) DESC, c.id",
        {"village": OTHER_VILLAGE},
    )
    group = rows[0]
    needs = [r["id"] for r in await sql(url, f"SELECT id FROM needs WHERE cell_id = {group['id']}")]
    assert len(needs) >= 2, "the demo's group needs two needs: one with a deed, one open"
    deed = await scalar(url, f"SELECT MIN(id) FROM deeds WHERE cell_id = {group['id']}")
    free = await scalar(
        url,
        f"SELECT MIN(id) FROM needs WHERE cell_id = {group['id']} AND status = 'OPEN' "
        "AND id NOT IN (SELECT need_id FROM deeds)",
    )
    assert deed is not None and free is not None
    await execute(
        url,
        "UPDATE deeds SET status = 'PUBLISHED', published = true, published_at = approved_at "
        f"WHERE id = {deed}",
        "UPDATE deeds SET published_at = created_at WHERE published_at IS NULL",
        f"UPDATE needs SET window_to = NULL WHERE id = {free}",
    )
    async with api_client(url, token=STAFF_TOKEN) as client:
        opened = await gql(
            client,
            "mutation($need: ID) { openToPartners(need: $need, slots: 1) { task { id } errors "
            "{ code } } }",
            {"need": gid("Need", free)},
        )
    task = data_of(opened)["openToPartners"]["task"]["id"]
    return Group(
        group["id"], group["code"], group["branch_id"], group["branch_code"], needs, deed, task
    )


async def _partner(url: str) -> str:
    """A partner organisation serving the other village (so the group's task is offered)."""
    village = await scalar(url, f"SELECT id FROM cells WHERE code = '{OTHER_VILLAGE}'")
    await execute(
        url,
        "INSERT INTO organisations (name, kind, cell_id, active) VALUES "
        f"('Place partner', 'SOCIAL_ORGANISATION', {village}, true)",
    )
    org = await scalar(url, "SELECT MAX(id) FROM organisations WHERE name = 'Place partner'")
    await execute(
        url, f"INSERT INTO served_cells (organisation_id, cell_id) VALUES ({org}, {village})"
    )
    return await make_token(url, Role.PARTNER, organisation_code=str(org))


async def _token(url: str, group: Group, who: str) -> str | None:
    if who == "public":
        return None
    if who == "partner":
        return await _partner(url)
    if who == "other_village_staff":
        return await make_token(url, Role.VILLAGE_STAFF, VILLAGE)
    # The leader of another group of the same branch: its scope is that group only.
    sibling = await scalar(
        url,
        f"SELECT MIN(code) FROM cells WHERE parent_id = {group.branch_pk} AND id <> {group.pk}",
    )
    return await make_token(url, Role.GROUP_LEADER, sibling)


def _at_group(cell: Any, group: Group) -> bool:
    return isinstance(cell, dict) and (
        cell.get("id") == group.gid or cell.get("code") == group.code
    )


def _leaks(value: Any, group: Group, where: str = "") -> list[str]:
    """Where the answer places a need, deed or task at the group, or counts or lists the
    group's own."""
    found: list[str] = []
    if isinstance(value, list):
        for i, item in enumerate(value):
            found += _leaks(item, group, f"{where}[{i}]")
        return found
    if not isinstance(value, dict):
        return found
    kind = value.get("__typename")
    if kind in PLACED and _at_group(value.get("cell"), group):
        found.append(f"{where}: a {kind} at the group")
    if kind == "Cell" and _at_group(value, group):
        found += [f"{where}.{k}: the group's own" for k in ("needs", "deeds") if value.get(k)]
        stats = value.get("stats") or {}
        found += [f"{where}.stats.{k}" for k in COUNTS if stats.get(k)]
        found += [
            f"{where}.stats.deedsByStatus" for s in stats.get("deedsByStatus") or [] if s["count"]
        ]
    for key, item in value.items():
        found += _leaks(item, group, f"{where}.{key}")
    return found


def _narrowed(query: str, body: dict[str, Any], root: str) -> list[str]:
    """A root narrowed to the group (`under:` it) returns none of the group's own rows."""
    answer = (body.get("data") or {}).get(root)
    if "under:" not in query or not isinstance(answer, dict):
        return []
    nodes = answer.get("nodes") or []
    return [
        f"{root}: a {n['__typename']} under the group"
        for n in nodes
        if n.get("__typename") in PLACED
    ]


@pytest.mark.parametrize(
    "who", ["public", "partner", "other_village_staff", "sibling_group_leader"]
)
async def test_no_root_shows_a_need_at_its_group_outside_the_scope(demo_url: str, who: str) -> None:
    url = demo_url
    group = await _group(url)
    token = await _token(url, group, who)
    known = {"village": group.gid, "id": gid("Need", group.needs[0]), "code": group.code}
    checked = 0
    async with api_client(url, token=token) as client:
        async for root, query, response in every_root(client, known, typename=True):
            body = response.json()
            leaks = _leaks(body.get("data"), group) + _narrowed(query, body, root)
            assert leaks == [], f"{who} learns the group through {root}: {leaks[:3]}"
            checked += 1
        # Roots the walk fills otherwise: the board by the group's code, the deed and task by id.
        board = await gql(
            client,
            "query($c: String) { publicDeeds(cell: $c) { totalCount nodes { id } } }",
            {"c": group.code},
        )
        assert data_of(board)["publicDeeds"] == {"totalCount": 0, "nodes": []}
        for node in (gid("Deed", group.deed), gid("Need", group.needs[-1])):
            body = await gql(
                client,
                "query($id: ID!) { node(id: $id) { __typename ... on Need { cell { id code } } "
                "... on Deed { cell { id code } need { __typename cell { id code } } } } }",
                {"id": node},
            )
            assert _leaks(body.get("data"), group) == [], (node, body)
            assert body["data"]["node"]["cell"]["code"] == group.branch_code
        if who == "partner":  # the group's task is offered, at the branch
            body = await gql(client, "{ availableTasks { nodes { id cell { id code } } } }")
            tasks = {t["id"]: t["cell"]["code"] for t in data_of(body)["availableTasks"]["nodes"]}
            assert tasks[group.task] == group.branch_code
    assert checked == len(build_schema()._schema.query_type.fields)  # type: ignore[union-attr]


PLACE = """query($group: String!, $branch: String!, $under: ID, $need: ID!) {
  group: cell(code: $group) { __typename code needs { id cell { code } } deeds { id cell { code } }
    stats { needs openNeeds deeds } }
  branch: cell(code: $branch) { __typename code needs { id cell { code } } deeds { id } }
  needs(filter: {under: $under}, first: 100) { totalCount nodes { id cell { code name } } }
  node(id: $need) { ... on Need { cell { code } deed { cell { code } } } }
}"""


async def _place(url: str, group: Group, token: str | None, planned: bool) -> dict[str, Any]:
    variables = {
        "group": group.code,
        "branch": group.branch_code,
        "under": group.gid,
        "need": gid("Need", group.needs[0]),
    }
    async with api_client(url, token=token, planned_reads=planned, **NO_COST_LIMIT) as client:
        return data_of(await gql(client, PLACE, variables))


@pytest.mark.parametrize("who", ["public", "branch_secretary"])
async def test_staff_of_the_group_see_it_and_others_see_its_branch(demo_url: str, who: str) -> None:
    url = demo_url
    group = await _group(url)
    token = None
    if who == "branch_secretary":
        token = await make_token(url, Role.BRANCH_SECRETARY, group.branch_code)
    answer = await _place(url, group, token, planned=True)
    # Every read path gives the same bytes (the loaders alone, the compiled path and, on
    # PostgreSQL, the JSON statements).
    assert json.dumps(answer) == json.dumps(await _place(url, group, token, planned=False))
    ours = {gid("Need", pk) for pk in group.needs}
    in_branch = {n["id"]: n["cell"]["code"] for n in answer["branch"]["needs"]}
    in_group = {n["id"]: n["cell"]["code"] for n in answer["group"]["needs"]}
    under = {n["id"] for n in answer["needs"]["nodes"]}
    if who == "branch_secretary":
        assert in_group == {n: group.code for n in ours}
        assert not ours & set(in_branch)
        assert under == ours and answer["needs"]["totalCount"] == len(ours)
        assert answer["group"]["stats"]["needs"] == len(ours)
        assert answer["node"]["cell"]["code"] == group.code
        assert (
            answer["group"]["deeds"] and answer["group"]["deeds"][0]["cell"]["code"] == group.code
        )
    else:
        # The branch's list holds the group's needs, at the branch; the group's list is empty.
        assert {n: in_branch[n] for n in ours} == {n: group.branch_code for n in ours}
        assert in_group == {} and answer["group"]["deeds"] == []
        assert under == set() and answer["needs"]["totalCount"] == 0
        assert answer["group"]["stats"] == {"needs": 0, "openNeeds": 0, "deeds": 0}
        assert answer["node"]["cell"]["code"] == group.branch_code
        assert gid("Deed", group.deed) in {d["id"] for d in answer["branch"]["deeds"]}


async def test_a_needs_page_places_each_need_for_its_caller(demo_url: str, backend: str) -> None:
    """The page root (one PostgreSQL statement on the JSON path) places needs as the loaders
    do, for the public and for staff of one village: group needs of the other village at their
    branch, the staff's own at their group."""
    url = demo_url
    cells = {
        c["id"]: c for c in await sql(url, "SELECT id, code, level, parent_id, path FROM cells")
    }
    needs = await sql(url, "SELECT id, cell_id FROM needs ORDER BY id")
    village = next(c for c in cells.values() if c["code"] == VILLAGE)
    query = "{ needs(first: 100) { nodes { id cell { code } } } }"
    staff = await make_token(url, Role.VILLAGE_STAFF, VILLAGE)
    for token in (None, staff):
        answers = []
        for planned in (True, False):
            async with api_client(url, token=token, planned_reads=planned) as client:
                answers.append(data_of(await gql(client, query)))
        assert json.dumps(answers[0]) == json.dumps(answers[1])
        shown = {n["id"]: n["cell"]["code"] for n in answers[0]["needs"]["nodes"]}
        for need in needs:
            cell = cells[need["cell_id"]]
            covered = token is not None and cell["path"].startswith(village["path"])
            place = cell if covered or cell["level"] != "GROUP" else cells[cell["parent_id"]]
            assert shown[gid("Need", need["id"])] == place["code"], (token, need)
    assert any(c["level"] == "GROUP" for c in (cells[n["cell_id"]] for n in needs))
