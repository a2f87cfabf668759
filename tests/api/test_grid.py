"""The grid over HTTP: nesting, cell lookups, ancestry, leaders, subtree statistics, filters."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from tests.api.helpers import data_of, execute, gid, only_error, pk_of, sql
from tests.conftest import STAFF_TOKEN, api_client, gql

NESTED = """
query($code: String!) {
  cell(code: $code) {
    id code level
    children {
      id code level
      children {
        id code level
        children { id code level people { id name } }
      }
    }
  }
}
"""

DEED_STATUSES = [
    "PROPOSED",
    "APPROVED",
    "PUBLISHED",
    "IN_PROGRESS",
    "COMPLETED",
    "EVALUATED",
    "CANCELLED",
]


class Grid:
    """The cells as the database holds them, with subtrees computed from parent ids alone."""

    def __init__(self, cells: list[dict[str, Any]]) -> None:
        self.by_id = {c["id"]: c for c in cells}
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for c in cells:
            self.children[c["parent_id"]].append(c["id"])

    def subtree(self, cell_id: int) -> set[int]:
        out, todo = set(), [cell_id]
        while todo:
            cid = todo.pop()
            out.add(cid)
            todo += self.children.get(cid, [])
        return out

    def ancestors(self, cell_id: int) -> list[int]:
        chain = []
        parent = self.by_id[cell_id]["parent_id"]
        while parent is not None:
            chain.append(parent)
            parent = self.by_id[parent]["parent_id"]
        return chain[::-1]

    def codes_of_children(self, cell_id: int) -> list[str]:
        return sorted(self.by_id[c]["code"] for c in self.children.get(cell_id, []))


async def load_grid(url: str) -> Grid:
    return Grid(await sql(url, "SELECT id, code, name, level, parent_id, leader_id FROM cells"))


async def test_nested_grid_matches_the_database(read_only_demo_url: str) -> None:
    url = read_only_demo_url
    grid = await load_grid(url)
    people = await sql(url, "SELECT id, cell_id FROM people WHERE active = :a", {"a": True})
    people_of: dict[int, set[int]] = defaultdict(set)
    for p in people:
        people_of[p["cell_id"]].add(p["id"])
    towns = [c for c in grid.by_id.values() if c["level"] == "TOWN"]
    assert towns
    async with api_client(url) as client:
        for town in towns:
            data = data_of(await gql(client, NESTED, {"code": town["code"]}))
            cell = data["cell"]
            assert pk_of(cell["id"]) == town["id"]
            seen_people: set[int] = set()
            stack = [(cell, "TOWN")]
            levels = {"TOWN": "VILLAGE", "VILLAGE": "BRANCH", "BRANCH": "GROUP"}
            while stack:
                node, level = stack.pop()
                assert node["level"] == level
                db_cell = grid.by_id[pk_of(node["id"])]
                assert node["code"] == db_cell["code"]
                if level == "GROUP":
                    got = {pk_of(p["id"]) for p in node["people"]}
                    assert got == people_of[db_cell["id"]]
                    seen_people |= got
                    continue
                codes = [ch["code"] for ch in node["children"]]
                assert sorted(codes) == grid.codes_of_children(db_cell["id"])
                stack += [(ch, levels[level]) for ch in node["children"]]
            # Every active member homed in a group of the town came back, once.
            groups = {c for c in grid.subtree(town["id"]) if grid.by_id[c]["level"] == "GROUP"}
            assert seen_people == set().union(*(people_of[g] for g in groups))
            assert seen_people


CELL_FIELDS = """
  id code name level
  parent { id code }
  ancestors { id code level }
  children { id code }
  leader { id name }
"""


async def test_cell_by_id_and_by_code_agree_with_parent_ancestors_children_leader(
    read_only_demo_url: str,
) -> None:
    url = read_only_demo_url
    grid = await load_grid(url)
    leaders = {
        r["id"]: r["name"]
        for r in await sql(
            url, "SELECT p.id, p.name FROM people p JOIN cells c ON c.leader_id = p.id"
        )
    }
    query = (
        f"""query($id: ID, $code: String) {{ cell(id: $id, code: $code) {{ {CELL_FIELDS} }} }}"""
    )
    async with api_client(url) as client:
        for cell in grid.by_id.values():
            by_id = data_of(await gql(client, query, {"id": gid("Cell", cell["id"])}))["cell"]
            by_code = data_of(await gql(client, query, {"code": cell["code"]}))["cell"]
            assert by_id == by_code
            assert by_id["code"] == cell["code"] and by_id["name"] == cell["name"]
            if cell["parent_id"] is None:
                assert by_id["parent"] is None
            else:
                assert pk_of(by_id["parent"]["id"]) == cell["parent_id"]
            assert [pk_of(a["id"]) for a in by_id["ancestors"]] == grid.ancestors(cell["id"])
            assert sorted(c["code"] for c in by_id["children"]) == grid.codes_of_children(
                cell["id"]
            )
            if cell["leader_id"] is None:
                assert by_id["leader"] is None
            else:
                assert pk_of(by_id["leader"]["id"]) == cell["leader_id"]
                assert by_id["leader"]["name"] == leaders[cell["leader_id"]]
        # Unknown code / well-formed unknown id: null, not an error.
        missing = await gql(client, query, {"code": "NO-SUCH-CELL"})
        assert data_of(missing)["cell"] is None
        missing = await gql(client, query, {"id": gid("Cell", 987654)})
        assert data_of(missing)["cell"] is None
        # Neither or both of id and code: refused.
        neither = await gql(client, query, {})
        assert only_error(neither)["extensions"]["code"] == "INVALID_ARGUMENT"
        garbage = await gql(client, query, {"id": "not an id"})
        assert only_error(garbage)["extensions"]["code"] == "INVALID_ID"


STATS = """
query($id: ID!) {
  cell(id: $id) {
    stats { people households needs openNeeds deeds deedsByStatus { status count } }
  }
}
"""


async def _expected_stats(
    url: str, grid: Grid, cell_id: int, *, public: bool = False
) -> dict[str, Any]:
    ids = grid.subtree(cell_id)
    # The public sees a group's own needs and deeds at its branch (sandan.db.place): they are
    # not in the group's subtree for it.
    at_branch = public and grid.by_id[cell_id]["level"] == "GROUP"
    placed = ids - {cell_id} if at_branch else ids
    people = await sql(url, "SELECT cell_id, active FROM people")
    households = await sql(url, "SELECT cell_id, active FROM households")
    needs = await sql(url, "SELECT cell_id, status FROM needs")
    deeds = await sql(url, "SELECT cell_id, status FROM deeds")
    by_status = Counter(d["status"] for d in deeds if d["cell_id"] in placed)
    return {
        "people": sum(1 for p in people if p["cell_id"] in ids and p["active"]),
        "households": sum(1 for h in households if h["cell_id"] in ids and h["active"]),
        "needs": sum(1 for n in needs if n["cell_id"] in placed),
        "openNeeds": sum(1 for n in needs if n["cell_id"] in placed and n["status"] == "OPEN"),
        "deeds": sum(by_status.values()),
        "deedsByStatus": {s: by_status.get(s, 0) for s in DEED_STATUSES},
    }


async def test_stats_count_the_whole_subtree(demo_url: str) -> None:
    url = demo_url
    # Make the counts discriminating: a member and a household who left, a closed need, a done
    # and a cancelled deed (the demo has only active rows and two live deeds).
    first_group = await sql(url, "SELECT id FROM cells WHERE level = 'GROUP' ORDER BY id LIMIT 1")
    group_id = first_group[0]["id"]
    await execute(
        url,
        f"UPDATE people SET active = false WHERE id = (SELECT MIN(id) FROM people "
        f"WHERE cell_id = {group_id} AND id NOT IN (SELECT leader_id FROM cells "
        f"WHERE leader_id IS NOT NULL))",
        f"UPDATE households SET active = false WHERE id = (SELECT MIN(id) FROM households "
        f"WHERE cell_id = {group_id})",
        "UPDATE needs SET status = 'CLOSED' WHERE id = (SELECT MIN(id) FROM needs "
        "WHERE status = 'OPEN')",
        "UPDATE deeds SET status = 'COMPLETED' WHERE id = (SELECT MIN(id) FROM deeds)",
    )
    grid = await load_grid(url)
    for token in (None, STAFF_TOKEN):
        async with api_client(url, token=token) as client:
            for cell_id in grid.by_id:
                data = data_of(await gql(client, STATS, {"id": gid("Cell", cell_id)}))
                stats = data["cell"]["stats"]
                expected = await _expected_stats(url, grid, cell_id, public=token is None)
                by_status = {s["status"]: s["count"] for s in stats["deedsByStatus"]}
                assert by_status == expected.pop("deedsByStatus"), grid.by_id[cell_id]
                del stats["deedsByStatus"]
                assert stats == expected, grid.by_id[cell_id]
    root = next(c for c in grid.by_id.values() if c["parent_id"] is None)
    whole = await _expected_stats(url, grid, root["id"])
    assert whole["people"] > 0 and whole["households"] > 0
    assert whole["openNeeds"] < whole["needs"]
    assert whole["deedsByStatus"]["COMPLETED"] == 1


CELLS = """
query($level: Level, $under: ID, $search: String) {
  cells(level: $level, under: $under, search: $search, first: 100) {
    totalCount nodes { id code name level }
  }
}
"""


async def test_cells_filters(read_only_demo_url: str) -> None:
    url = read_only_demo_url
    grid = await load_grid(url)
    village = next(c for c in grid.by_id.values() if c["level"] == "VILLAGE")
    branch_name = next(c["name"] for c in grid.by_id.values() if c["level"] == "BRANCH")
    needle = branch_name[-2:]  # Chinese text, e.g. 小区 / 经济社
    cases: list[tuple[dict[str, Any], set[int]]] = []
    for level in ["DISTRICT", "TOWN", "VILLAGE", "BRANCH", "GROUP"]:
        cases.append(
            ({"level": level}, {c["id"] for c in grid.by_id.values() if c["level"] == level})
        )
    below_village = grid.subtree(village["id"])
    cases.append(({"under": gid("Cell", village["id"])}, below_village))
    cases.append(
        (
            {"under": gid("Cell", village["id"]), "level": "GROUP"},
            {c for c in below_village if grid.by_id[c]["level"] == "GROUP"},
        )
    )
    cases.append(
        ({"search": needle}, {c["id"] for c in grid.by_id.values() if needle in c["name"]})
    )
    cases.append(({"search": "%"}, set()))  # LIKE wildcards are text, not patterns
    async with api_client(url) as client:
        for variables, expected in cases:
            assert expected or variables == {"search": "%"}
            conn = data_of(await gql(client, CELLS, variables))["cells"]
            ids = [pk_of(n["id"]) for n in conn["nodes"]]
            assert ids == sorted(expected), variables
            assert conn["totalCount"] == len(expected), variables
