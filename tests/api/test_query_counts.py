"""The nested grid costs a fixed number of SQL statements, however big the grid: no N+1."""

from __future__ import annotations

from functools import cache
from typing import Any

from sandan.db.bulk import load
from sandan.db.engine import create_nullpool_engine
from sandan.demo.data import DemoData
from sandan.demo.generate import generate
from tests.api.helpers import counting_statements, data_of, sql
from tests.conftest import STAFF_TOKEN, api_app, gql

NESTED = """
query($code: String!) {
  cell(code: $code) {
    name
    stats { people openNeeds }
    children {
      name
      leader { name phone }
      stats { people households needs openNeeds deeds }
      children {
        name
        leader { name }
        needs { title status }
        children {
          name
          people { name partyMember phone }
        }
      }
    }
  }
}
"""

# The budget: one batched statement per (field, depth) that loads rows — cell, 3 × children,
# 2 × leader, needs, people = 8 — plus one statement for the subtree statistics per depth they
# are asked at (2 here). Anything growing with the grid (N+1) blows through it.
MAX_STATEMENTS = 8 + 2


@cache
def town_data() -> DemoData:
    return generate("town", 1)


async def _count(url: str, planned: bool) -> tuple[int, dict[str, Any], list[str]]:
    town = (await sql(url, "SELECT code FROM cells WHERE level = 'TOWN' ORDER BY id"))[0]["code"]
    async with api_app(url, token=STAFF_TOKEN, planned_reads=planned) as (client, state):
        # Warm up: the first connection runs the dialect's own set-up statements.
        data_of(await gql(client, "{ cells(first: 1) { nodes { id } } }"))
        with counting_statements(state.engine) as counter:
            body = await gql(client, NESTED, {"code": town})
    return counter.count, data_of(body)["cell"], counter.statements


def _sizes(cell: dict[str, Any]) -> tuple[int, int, int, int]:
    villages = cell["children"]
    branches = [b for v in villages for b in v["children"]]
    groups = [g for b in branches for g in b["children"]]
    people = [p for g in groups for p in g["people"]]
    return len(villages), len(branches), len(groups), len(people)


async def test_statement_count_does_not_grow_with_the_grid(
    read_only_demo_url: str, empty_url: str
) -> None:
    engine = create_nullpool_engine(empty_url)
    try:
        await load(engine, town_data())
    finally:
        await engine.dispose()

    # Both read paths: the compiled one, and strawberry's resolvers with DataLoaders.
    for planned in (True, False):
        small_count, small, small_sql = await _count(read_only_demo_url, planned)
        big_count, big, big_sql = await _count(empty_url, planned)

        small_sizes, big_sizes = _sizes(small), _sizes(big)
        # The larger grid really is much larger at every level.
        assert all(b >= 10 * s for b, s in zip(big_sizes, small_sizes, strict=True)), (
            small_sizes,
            big_sizes,
        )
        assert small_count == big_count, "\n".join(["tiny:", *small_sql, "town:", *big_sql])
        assert 0 < big_count <= MAX_STATEMENTS, "\n".join(big_sql)
