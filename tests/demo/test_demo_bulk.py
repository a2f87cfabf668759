"""The bulk loader on SQLite and PostgreSQL: counts, foreign keys, round trips, no reloading."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from sandan.db.base import Base
from sandan.db.bulk import DemoLoadError, is_empty, load
from sandan.db.engine import create_sessionmaker
from sandan.db.models import Cell, Need, Person, Resource
from sandan.demo import DemoData


async def table_counts(engine: AsyncEngine, data: DemoData) -> dict[str, int]:
    counts = {}
    async with engine.connect() as connection:
        for name in data.tables():
            table = Base.metadata.tables[name]
            counts[name] = (await connection.scalar(select(func.count()).select_from(table))) or 0
    return counts


async def foreign_key_violations(engine: AsyncEngine) -> list[object]:
    if engine.dialect.name != "sqlite":
        return []  # PostgreSQL enforced them while loading
    async with engine.connect() as connection:
        return list((await connection.execute(text("PRAGMA foreign_key_check"))).all())


async def test_tiny_loads(engine: AsyncEngine, tiny_data: DemoData) -> None:
    assert await is_empty(engine)
    counts = await load(engine, tiny_data)
    assert counts == tiny_data.counts()
    assert await table_counts(engine, tiny_data) == counts
    assert not await is_empty(engine)
    assert await foreign_key_violations(engine) == []


async def test_town_loads(engine: AsyncEngine, town_data: DemoData) -> None:
    counts = await load(engine, town_data)
    assert await table_counts(engine, town_data) == counts == town_data.counts()
    assert counts["cells"] > 600
    assert counts["people"] > 5000
    assert counts["deeds"] >= 20
    assert await foreign_key_violations(engine) == []
    async with engine.connect() as connection:
        # The deferred half of the foreign-key cycle arrived too.
        leaders = await connection.scalar(
            select(func.count()).select_from(Cell).where(Cell.leader_id.is_not(None))
        )
        residents = await connection.scalar(
            select(func.count()).select_from(Person).where(Person.household_id.is_not(None))
        )
    assert leaders == sum(1 for c in town_data.cells if c["leader_id"] is not None)
    assert residents == sum(1 for p in town_data.people if p["household_id"] is not None)
    async with engine.connect() as connection:
        cells = (
            await connection.execute(select(Cell.id, Cell.parent_id, Cell.path, Cell.level))
        ).all()
    by_id = {c.id: c for c in cells}
    for cell in cells:
        parent = by_id.get(cell.parent_id)
        expected = f"{parent.path if parent else '/'}{cell.id}/"
        assert cell.path == expected
        assert parent is None or cell.level.depth > parent.level.depth


async def test_values_round_trip(engine: AsyncEngine, tiny_data: DemoData) -> None:
    await load(engine, tiny_data)
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session:
        people = (await session.scalars(select(Person).order_by(Person.id))).all()
        needs = (await session.scalars(select(Need).order_by(Need.id))).all()
        resources = (await session.scalars(select(Resource).order_by(Resource.id))).all()
        cells = (await session.scalars(select(Cell).order_by(Cell.id))).all()
    for person, row in zip(people, tiny_data.people, strict=True):
        assert (person.skills, person.categories) == (row["skills"], row["categories"])
        assert (person.reach, person.available_from) == (row["reach"], row["available_from"])
        assert person.household_id == row["household_id"]
    for need, row in zip(needs, tiny_data.needs, strict=True):
        assert need.resource_requests == row["resource_requests"]
        assert (need.skills, need.window_from, need.title) == (
            row["skills"],
            row["window_from"],
            row["title"],
        )
    assert [r.categories for r in resources] == [r["categories"] for r in tiny_data.resources]
    # Timestamps are UTC on both engines (SQLite hands them back naive).
    for need, row in zip(needs, tiny_data.needs, strict=True):
        created = need.created_at
        assert (created if created.tzinfo else created.replace(tzinfo=UTC)) == row["created_at"]
    assert [(c.path, c.leader_id) for c in cells] == [
        (c["path"], c["leader_id"]) for c in tiny_data.cells
    ]


async def test_ids_continue_after_the_loaded_rows(engine: AsyncEngine, tiny_data: DemoData) -> None:
    await load(engine, tiny_data)
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        cell = Cell(code="NH-NEW", name="新建网格", level="TOWN", kind="TOWN", path="/1/x/")
        cell.parent_id = 1
        session.add(cell)
        await session.flush()
        assert cell.id == len(tiny_data.cells) + 1


async def test_loading_twice_fails_and_changes_nothing(
    engine: AsyncEngine, tiny_data: DemoData
) -> None:
    await load(engine, tiny_data)
    before = await table_counts(engine, tiny_data)
    with pytest.raises(DemoLoadError, match="empty"):
        await load(engine, tiny_data)
    assert await table_counts(engine, tiny_data) == before


async def test_a_failed_load_leaves_the_database_empty(
    engine: AsyncEngine, tiny_data: DemoData
) -> None:
    broken = DemoData(**{name: list(rows) for name, rows in tiny_data.tables().items()})
    # A deed pointing at a need that does not exist fails after most tables went in.
    broken.deeds = [{**broken.deeds[0], "need_id": 10_000}, *broken.deeds[1:]]
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        await load(engine, broken)
    assert await is_empty(engine)


async def test_unknown_column_is_refused(engine: AsyncEngine, tiny_data: DemoData) -> None:
    broken = DemoData(**{name: list(rows) for name, rows in tiny_data.tables().items()})
    broken.cells = [{**row, "colour": "red"} for row in broken.cells]
    with pytest.raises(DemoLoadError, match="colour"):
        await load(engine, broken)
    assert await is_empty(engine)
