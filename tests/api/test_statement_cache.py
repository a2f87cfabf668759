"""The list selects are built once per key and reused (db/repositories/lists.py): a reused
statement must never carry one caller's scope or filter into another caller's answer.

The personal-data case: staff whose personal scope covers a need's group read its description
and see it at the group; staff of another village who then send the very same request read no
description, see the need at the group's branch (so not under the group), and find nothing
searching for the description's words, on every read path; the first caller's view is intact
after them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.dialects import postgresql

from sandan.db.enums import Category, NeedStatus, Role
from sandan.db.repositories import lists
from sandan.db.scope import Scope
from tests.accounts import make_token
from tests.api.helpers import data_of, execute, gid, pk_of, sql
from tests.conftest import api_client, gql

CANARY = "cachecanary 私下说的"
QUERY = """query($f: NeedFilter) { needs(filter: $f, first: 100) { totalCount
  nodes { id description cell { code } } } }"""
# planned_reads, json_reads: the JSON path, the compiled loaders, strawberry's resolvers.
READ_PATHS = {"json": (True, True), "compiled": (True, False), "strawberry": (False, False)}


def _sql_of(stmt: Any) -> str:
    return str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


async def _need_at_a_group(url: str) -> dict[str, Any]:
    """A need filed at a group, its description set to the canary, with its village, town,
    branch, and another village."""
    rows = await sql(
        url,
        "SELECT n.id, n.category, g.id AS group_id, g.code AS group_code, b.code AS branch_code, "
        "v.code AS village, v.parent_id AS town FROM needs n JOIN cells g ON g.id = n.cell_id "
        "JOIN cells b ON b.id = g.parent_id JOIN cells v ON v.id = b.parent_id "
        "WHERE g.level = 'GROUP' ORDER BY n.id",
    )
    need = rows[0]
    other = await sql(
        url,
        "SELECT code FROM cells WHERE level = 'VILLAGE' AND code <> :v ORDER BY code",
        {"v": need["village"]},
    )
    await execute(url, f"UPDATE needs SET description = '{CANARY}' WHERE id = {need['id']}")
    return {**need, "other_village": other[0]["code"]}


async def _read(
    url: str, token: str, path: str, need: dict[str, Any], under: int, search: str | None = None
) -> Any:
    planned, json_reads = READ_PATHS[path]
    flt = {"under": gid("Cell", under), "category": [need["category"]], "search": search}
    async with api_client(url, token=token, planned_reads=planned, json_reads=json_reads) as c:
        page = data_of(await gql(c, QUERY, {"f": flt}))["needs"]
    return {pk_of(n["id"]): n for n in page["nodes"]}.get(need["id"])


@pytest.mark.parametrize("path", list(READ_PATHS))
async def test_a_cached_statement_shows_no_description_out_of_scope(
    demo_url: str, path: str
) -> None:
    need = await _need_at_a_group(demo_url)
    inside = await make_token(demo_url, Role.VILLAGE_STAFF, need["village"])
    outside = await make_token(demo_url, Role.VILLAGE_STAFF, need["other_village"])
    town, group = need["town"], need["group_id"]
    hits = lists._needs_matching.cache_info().hits
    for round_ in range(2):  # in scope, out of scope, and again: each after the other
        for under, search in [(town, None), (town, "cachecanary"), (group, None)]:
            seen = await _read(demo_url, inside, path, need, under, search)
            assert seen == {
                "id": gid("Need", need["id"]),
                "description": CANARY,
                "cell": {"code": need["group_code"]},
            }, (round_, under, search)
        # Outside the personal scope the need is at the branch: not under its own group.
        assert await _read(demo_url, outside, path, need, group) is None, round_
        assert await _read(demo_url, outside, path, need, town, "cachecanary") is None, round_
        seen = await _read(demo_url, outside, path, need, town)
        assert seen == {
            "id": gid("Need", need["id"]),
            "description": None,
            "cell": {"code": need["branch_code"]},
        }, round_
    # The same-shaped requests were answered from the cache (each request makes a new app).
    assert lists._needs_matching.cache_info().hits > hits


def test_each_key_has_its_own_statement_and_no_search_text_is_kept() -> None:
    one, two = Scope.subtrees(["/1/2/"]), Scope.subtrees(["/1/3/"])
    f = lists.NeedFilter(under_path="/1/", categories=(Category.SAFETY,))
    assert lists.filtered_needs(one, two, f) is lists.filtered_needs(one, two, f)
    statements = {
        "read": lists.filtered_needs(two, two, f),
        "personal": lists.filtered_needs(one, one, f),
        "status": lists.filtered_needs(one, two, lists.NeedFilter(statuses=(NeedStatus.OPEN,))),
    }
    base = _sql_of(lists.filtered_needs(one, two, f))
    assert "'/1/2/'" in base and "'/1/3/'" in base and "SAFETY" in base
    for name, stmt in statements.items():
        assert _sql_of(stmt) != base, name
    searched = lists.filtered_needs(one, two, lists.NeedFilter(search="secret-word"))
    assert "secret-word" in _sql_of(searched)
    cached = lists._needs_matching(one, two, lists.NeedFilter())
    assert "secret-word" not in _sql_of(cached)
    assert searched is not cached


def test_overdue_deeds_are_measured_against_their_own_day() -> None:
    scope = Scope.everything()
    days = [date(2026, 12, 2), date(2026, 12, 3)]
    found = [
        _sql_of(lists.filtered_deeds(scope, scope, lists.DeedFilter(overdue=True, today=day)))
        for day in days
    ]
    assert "2026-12-02" in found[0] and "2026-12-03" not in found[0]
    assert "2026-12-03" in found[1] and "2026-12-02" not in found[1]
