"""`sandan instance`: the optimiser instance exported from the database, on both engines.

Expectations come from plain SQL and from the contract's reach rule computed here in Python,
never from the exporter's own repository, so a bug cannot hide in both answer and expectation.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from sandan.db.engine import create_engine, create_sessionmaker
from sandan.db.models import Cell, Deed, DeedMember, DeedResource, Person, Resource
from sandan.instance_cli import period
from sandan.resolvers.instance import UnknownCell, export_instance

VILLAGE = "NH-JJ-01"
OTHER_VILLAGE = "NH-JJ-02"
TOWN = "NH-JJ"
PERIOD = (date(2026, 5, 1), date(2026, 8, 31))
LEVELS = ["DISTRICT", "TOWN", "VILLAGE", "BRANCH", "GROUP"]


@pytest.fixture
async def db(demo_url: str) -> AsyncIterator[AsyncEngine]:
    """A fresh copy of the tiny demo, for tests that write."""
    engine = create_engine(demo_url, pool_size=1)
    yield engine
    await engine.dispose()


@pytest.fixture
async def ro_db(read_only_demo_url: str) -> AsyncIterator[AsyncEngine]:
    """The shared tiny demo (no clone per test): for tests that only read."""
    engine = create_engine(read_only_demo_url, pool_size=1)
    yield engine
    await engine.dispose()


async def _export(engine: AsyncEngine, code: str, period: tuple[date, date] = PERIOD) -> Any:
    async with create_sessionmaker(engine)() as session:
        return await export_instance(session, code, *period)


async def _rows(engine: AsyncEngine, query: str, **params: Any) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        return [dict(r._mapping) for r in await conn.execute(text(query), params)]


async def _cell(engine: AsyncEngine, code: str) -> dict[str, Any]:
    (row,) = await _rows(engine, "SELECT id, path FROM cells WHERE code = :c", c=code)
    return row


async def _add_person(engine: AsyncEngine, cell: str, **values: Any) -> str:
    """A person inserted with SQL (Core fills the column defaults); returns the instance id."""
    row = {"name": "测试", "kind": "VOLUNTEER", "role": "MEMBER", "hours": 10, "max_deeds": 2}
    row.update(values, cell_id=(await _cell(engine, cell))["id"])
    async with engine.begin() as conn:
        pk = await conn.scalar(insert(Person).values(**row).returning(Person.id))
    return f"p{pk}"


# --------------------------------------------------------------------------- (a) shape


async def test_instance_is_valid_for_the_optimiser(ro_db: AsyncEngine) -> None:
    from sandan.matching import parse_instance

    instance = await _export(ro_db, VILLAGE)
    parsed = parse_instance(instance)  # raises InstanceError listing every problem
    assert len(parsed.needs) == len(instance["needs"]) > 0
    assert instance["root"] == VILLAGE
    assert instance["period"] == [d.isoformat() for d in PERIOD]
    assert instance["pins"] == [] and instance["forbid"] == []
    cells = {c["id"]: c for c in instance["cells"]}
    # Every chain reaches a root, and parents come first in the file.
    seen: set[str] = set()
    for cell in instance["cells"]:
        assert cell["parent"] is None or cell["parent"] in seen
        seen.add(cell["id"])
    assert [c for c in cells.values() if c["parent"] is None] == [cells["NH"]]
    for need in instance["needs"]:
        assert need["id"].startswith("n") and 1 <= need["priority"] <= 100
        assert need["cell"].startswith(VILLAGE)
        lo, hi = need["window"] or PERIOD
        assert str(PERIOD[0]) <= str(lo) <= str(hi) <= str(PERIOD[1])
    for person in instance["people"]:
        assert person["id"].startswith("p") and person["cell"] in cells
        assert person["household"] is None or person["household"].startswith("h")


async def test_unknown_cell_is_an_error(ro_db: AsyncEngine) -> None:
    with pytest.raises(UnknownCell, match="NOPE"):
        await _export(ro_db, "NOPE")


async def test_empty_database_knows_no_cell(empty_url: str) -> None:
    engine = create_engine(empty_url, pool_size=1)
    try:
        with pytest.raises(UnknownCell):
            await _export(engine, VILLAGE)
    finally:
        await engine.dispose()


# --------------------------------------------------------------------------- (b) needs


@pytest.mark.parametrize(
    "period",
    [PERIOD, (date(2026, 6, 1), date(2026, 6, 10)), (date(2030, 1, 1), date(2030, 2, 1))],
    ids=["season", "ten-days", "later"],
)
@pytest.mark.parametrize("code", [VILLAGE, OTHER_VILLAGE, TOWN])
async def test_needs_are_the_open_needs_of_the_subtree_in_the_period(
    ro_db: AsyncEngine, code: str, period: tuple[date, date]
) -> None:
    root = await _cell(ro_db, code)
    expected = await _rows(
        ro_db,
        """SELECT n.id FROM needs n JOIN cells c ON c.id = n.cell_id
           WHERE n.status = 'OPEN' AND c.path LIKE :prefix
             AND (n.window_from IS NULL OR n.window_from <= :hi)
             AND (n.window_to IS NULL OR n.window_to >= :lo)""",
        prefix=root["path"] + "%",
        lo=period[0],
        hi=period[1],
    )
    instance = await _export(ro_db, code, period)
    assert sorted(n["id"] for n in instance["needs"]) == sorted(f"n{r['id']}" for r in expected)


# --------------------------------------------------------------------------- (c) reach


async def test_reach_decides_who_comes_from_outside(db: AsyncEngine) -> None:
    other_group = f"{OTHER_VILLAGE}-01-1"
    town_reach = await _add_person(db, other_group, reach="TOWN")
    whole_tree = await _add_person(db, other_group, reach=None)
    branch_reach = await _add_person(db, other_group, reach="BRANCH")
    village_reach = await _add_person(db, other_group, reach="VILLAGE")
    inactive = await _add_person(db, other_group, reach="TOWN", active=False)
    # Sitting at the town itself: its reach cell is the town whatever the reach says.
    at_town = await _add_person(db, TOWN, reach="GROUP")
    # Inside the village, even the narrowest reach is in.
    inside = await _add_person(db, f"{VILLAGE}-02-2", reach="GROUP")
    # Not available in the period at all.
    away = await _add_person(db, other_group, reach="TOWN", available_to=date(2026, 4, 1))
    half_open = await _add_person(db, other_group, reach="TOWN", available_from=date(2026, 6, 1))

    people = {p["id"]: p for p in (await _export(db, VILLAGE))["people"]}
    assert {town_reach, whole_tree, at_town, inside, half_open} <= set(people)
    assert not {branch_reach, village_reach, inactive, away} & set(people)
    # The half-open interval is closed by the period; null stays "always".
    assert people[half_open]["available"] == ["2026-06-01", "2026-08-31"]
    assert people[town_reach]["available"] is None
    assert people[town_reach]["reach"] == "TOWN" and people[whole_tree]["reach"] is None
    cells = {c["id"] for c in (await _export(db, VILLAGE))["cells"]}
    assert {other_group, f"{OTHER_VILLAGE}-01", OTHER_VILLAGE} <= cells


def _reach_cell(cell: int, reach: str | None, parent: dict[int, int | None], level: Any) -> int:
    """The contract's rule, walked up the tree: the lowest cell at or above the reach level."""
    chain = [cell]
    while (up := parent[chain[-1]]) is not None:
        chain.append(up)
    if reach is None:
        return chain[-1]
    return next((c for c in chain if LEVELS.index(level[c]) <= LEVELS.index(reach)), chain[-1])


async def _add_cell(engine: AsyncEngine, parent: str, code: str, level: str, kind: str) -> None:
    up = await _cell(engine, parent)
    async with engine.begin() as conn:
        pk = await conn.scalar(
            insert(Cell)
            .values(code=code, name=code, level=level, kind=kind, parent_id=up["id"], path=code)
            .returning(Cell.id)
        )
        await conn.execute(update(Cell).where(Cell.id == pk).values(path=f"{up['path']}{pk}/"))


async def _skip_a_level(engine: AsyncEngine) -> None:
    """A branch straight under the town (the contract allows skipped levels), with entities of
    every reach in it: one with reach VILLAGE serves the whole town, as there is no village."""
    await _add_cell(engine, TOWN, "NH-JJ-X", "BRANCH", "VILLAGER_GROUP")
    await _add_cell(engine, "NH-JJ-X", "NH-JJ-X-1", "GROUP", "CONTACT_GROUP")
    for cell, reach in itertools.product(["NH-JJ-X", "NH-JJ-X-1"], [*LEVELS, None]):
        await _add_person(engine, cell, reach=reach)
        cell_id = (await _cell(engine, cell))["id"]
        async with engine.begin() as conn:
            await conn.execute(
                insert(Resource).values(cell_id=cell_id, title="测试", kind="VENUE", reach=reach)
            )


@pytest.mark.parametrize("table", ["people", "resources"])
async def test_reach_is_exact_for_every_cell(db: AsyncEngine, table: str) -> None:
    await _skip_a_level(db)
    cells = await _rows(db, "SELECT id, code, level, parent_id, path FROM cells")
    parent = {c["id"]: c["parent_id"] for c in cells}
    level = {c["id"]: c["level"] for c in cells}
    active = "active = :yes" if table == "people" else "status = 'ACTIVE'"
    entities = await _rows(
        db,
        f"""SELECT id, cell_id, reach FROM {table} WHERE {active}
            AND (available_from IS NULL OR available_from <= :hi)
            AND (available_to IS NULL OR available_to >= :lo)""",
        yes=True,
        lo=PERIOD[0],
        hi=PERIOD[1],
    )
    path = {c["id"]: c["path"] for c in cells}
    prefix = "p" if table == "people" else "r"
    for root in cells:
        # In C's subtree (it may serve some of it), or its reach cell holds all of C.
        expected = {
            f"{prefix}{e['id']}"
            for e in entities
            if path[e["cell_id"]].startswith(path[root["id"]])
            or path[root["id"]].startswith(
                path[_reach_cell(e["cell_id"], e["reach"], parent, level)]
            )
        }
        exported = {e["id"] for e in (await _export(db, root["code"]))[table]}
        assert exported == expected, root["code"]


# --------------------------------------------------------------------------- (d) capacity


async def test_active_deeds_are_subtracted(db: AsyncEngine) -> None:
    before = await _export(db, VILLAGE)
    people = {p["id"]: p for p in before["people"]}
    lead = next(p for p in before["people"] if p["party_member"] and p["max_lead"] >= 1)
    member = next(
        p for p in before["people"] if p["id"] != lead["id"] and p["max_deeds"] >= 1 and p["hours"]
    )
    idle = next(p for p in before["people"] if p["id"] not in (lead["id"], member["id"]))
    resource = next(r for r in before["resources"] if r["capacity"] >= 2)
    free_needs = await _rows(
        db,
        "SELECT id, cell_id, hours FROM needs WHERE id NOT IN (SELECT need_id FROM deeds) "
        "ORDER BY id",
    )
    approved, cancelled = free_needs[0], free_needs[1]
    assert 0 < approved["hours"] <= member["hours"], "pick another demo need"
    pk = {key: int(p["id"][1:]) for key, p in (("lead", lead), ("member", member), ("idle", idle))}
    async with db.begin() as conn:
        for need, status in ((approved, "APPROVED"), (cancelled, "CANCELLED")):
            deed_id = await conn.scalar(
                insert(Deed)
                .values(
                    need_id=need["id"],
                    cell_id=need["cell_id"],
                    title="测试",
                    status=status,
                    lead_id=pk["lead"],
                )
                .returning(Deed.id)
            )
            # The approved deed holds the lead, the member and two units; the cancelled one
            # (same lead) holds the idle person, and must not count at all.
            if status == "APPROVED":
                members = [(pk["lead"], "LEAD"), (pk["member"], "TEAM")]
            else:
                members = [(pk["idle"], "TEAM")]
            for person_id, role in members:
                await conn.execute(
                    insert(DeedMember).values(deed_id=deed_id, person_id=person_id, role=role)
                )
            if status == "APPROVED":
                await conn.execute(
                    insert(DeedResource).values(
                        deed_id=deed_id, resource_id=int(resource["id"][1:]), quantity=2
                    )
                )

    after = await _export(db, VILLAGE)
    now = {p["id"]: p for p in after["people"]}
    assert now[lead["id"]]["max_lead"] == lead["max_lead"] - 1
    assert now[member["id"]]["max_deeds"] == member["max_deeds"] - 1
    assert now[member["id"]]["hours"] == member["hours"] - approved["hours"]
    assert now[idle["id"]] == people[idle["id"]]
    units = {r["id"]: r["capacity"] for r in after["resources"]}
    assert units[resource["id"]] == resource["capacity"] - 2
    # A need with a live deed is promised even while its status still says OPEN.
    needs_before = {n["id"] for n in before["needs"]}
    needs_after = {n["id"] for n in after["needs"]}
    assert needs_before - needs_after == {f"n{approved['id']}"} & needs_before
    assert f"n{approved['id']}" in needs_before, "pick a demo need exported before"


async def test_capacity_never_goes_below_zero(db: AsyncEngine) -> None:
    person = await _add_person(db, VILLAGE, max_deeds=1, hours=1, max_lead=0)
    needs = await _rows(
        db, "SELECT id, cell_id FROM needs WHERE id NOT IN (SELECT need_id FROM deeds)"
    )
    async with db.begin() as conn:
        for need in needs[:3]:
            deed_id = await conn.scalar(
                insert(Deed)
                .values(need_id=need["id"], cell_id=need["cell_id"], title="x", status="PROPOSED")
                .returning(Deed.id)
            )
            await conn.execute(
                insert(DeedMember).values(deed_id=deed_id, person_id=int(person[1:]), role="TEAM")
            )
    exported = next(p for p in (await _export(db, VILLAGE))["people"] if p["id"] == person)
    assert (exported["max_deeds"], exported["hours"], exported["max_lead"]) == (0, 0, 0)


# --------------------------------------------------------------------------- (e) solving


@pytest.mark.parametrize("code", [VILLAGE, TOWN])
async def test_solution_of_the_export_passes_the_checker(ro_db: AsyncEngine, code: str) -> None:
    from sandan.matching import solve
    from sandan.matching.check import check

    instance = await _export(ro_db, code)
    solution = await asyncio.to_thread(solve, instance, time_limit=20, workers=1)
    assert solution["status"] in ("OPTIMAL", "FEASIBLE"), solution.get("errors")
    report = check(instance, solution)
    assert report.ok, [str(v) for v in report.violations]
    assert report.deeds + report.unmatched == len(instance["needs"])


# --------------------------------------------------------------------------- (f) the command


def _sandan() -> list[str]:
    script = Path(sys.executable).with_name("sandan")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sandan.cli"]


async def _run(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        *_sandan(),
        "instance",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_cli_writes_the_instance(demo_url: str, tmp_path: Path) -> None:
    span = ["--from", "2026-05-01", "--to", "2026-08-31"]
    code, out, err = await _run("--cell", VILLAGE, "--database-url", demo_url, *span)
    assert code == 0, err
    instance = json.loads(out)
    assert instance["root"] == VILLAGE and instance["needs"]
    assert err.strip().count("\n") == 0 and f"{len(instance['needs'])} needs" in err

    target = tmp_path / "village.json"
    code, out, err = await _run(
        "--cell", VILLAGE, "--database-url", demo_url, *span, "-o", str(target)
    )
    assert code == 0 and out == ""
    assert json.loads(target.read_text()) == instance


def test_default_period_is_sixty_days() -> None:
    today = date(2026, 11, 22)
    assert period(None, None, today) == (today, date(2027, 1, 21))
    assert period("2026-05-01", None, today) == (date(2026, 5, 1), date(2026, 6, 30))
    assert period(None, "2026-12-01", today) == (today, date(2026, 12, 1))


async def test_cli_unknown_cell_exits_2(demo_url: str) -> None:
    code, out, err = await _run("--cell", "NO-SUCH-CELL", "--database-url", demo_url)
    assert (code, out) == (2, "")
    assert err == "sandan instance: error: no cell has the code 'NO-SUCH-CELL'\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-02-30"], "--from '2026-02-30' is not a date (YYYY-MM-DD)"),
        (["--to", "tomorrow"], "--to 'tomorrow' is not a date (YYYY-MM-DD)"),
        (["--from", "2026-06-01", "--to", "2026-05-01"], "the period is reversed"),
    ],
    ids=["bad-from", "bad-to", "reversed"],
)
async def test_cli_bad_period_exits_2(args: list[str], message: str) -> None:
    # Checked before the database is opened: the URL names nothing that exists.
    code, out, err = await _run("--cell", VILLAGE, *args, "--database-url", "sqlite:///nowhere.db")
    assert (code, out) == (2, "")
    assert message in err and "Traceback" not in err and err.strip().count("\n") == 0


@pytest.mark.parametrize(
    "url",
    ["postgresql+asyncpg://postgres@127.0.0.1:1/sandan", "sqlite+aiosqlite:///{tmp}/missing.db"],
    ids=["refused", "missing-file"],
)
async def test_cli_unreachable_database_exits_1(url: str, tmp_path: Path) -> None:
    code, out, err = await _run("--cell", VILLAGE, "--database-url", url.format(tmp=tmp_path))
    assert code == 1 and out == ""
    assert "error" in err and "Traceback" not in err and err.strip().count("\n") == 0
    assert not (tmp_path / "missing.db").exists()
