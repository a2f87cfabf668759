"""Reads for the optimiser instance of one cell and one period (see resolvers/instance.py).

Everything the contract (shared/contract/matching.md) needs for a root cell C and a period:
the OPEN needs in C's subtree, the active people and ACTIVE resources that can reach into C, the
cells on every entity's ancestor chain, and what active deeds already hold of each person and
resource. No scope: exporting an instance is an operator's task over the whole grid, and the
instance names people and households only by opaque ids.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    distinct,
    exists,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.enums import LEVEL_ORDER, DeedRole, Level, NeedStatus, ResourceStatus
from sandan.db.models import Cell, Deed, DeedMember, DeedResource, Household, Need, Person, Resource
from sandan.db.models.grid import subtree_upper
from sandan.db.repositories.batch import CHUNK, columns_of
from sandan.db.repositories.writes import ACTIVE_DEED


@dataclass(frozen=True)
class PersonUsage:
    """What active deeds already hold of one person."""

    team: int = 0  # team memberships
    hours: int = 0  # the needs' hours over those memberships
    leads: int = 0


@dataclass(frozen=True)
class InstanceRows:
    """Raw rows for one export; resolvers/instance.py turns them into the contract's dict."""

    root: Row[Any]
    needs: list[Row[Any]]  # Need columns + cell_path + elderly_alone, disability, low_income
    people: list[Row[Any]]  # Person columns + cell_path
    resources: list[Row[Any]]  # Resource columns + cell_path
    cells: list[Row[Any]]  # id, code, level, parent_id, path: every chain up to its root
    person_usage: dict[int, PersonUsage] = field(default_factory=dict)
    resource_units: dict[int, int] = field(default_factory=dict)


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/")]


def _in_subtree(path_column: Any, path: str) -> ColumnElement[bool]:
    return and_(path_column >= path, path_column < subtree_upper(path))


def _overlaps(lo: Any, hi: Any, start: date, end: date) -> ColumnElement[bool]:
    """An interval with nullable (open) ends that meets [start, end]."""
    return and_(or_(lo.is_(None), lo <= end), or_(hi.is_(None), hi >= start))


def _levels_above(level: Level) -> list[Level]:
    return LEVEL_ORDER[: level.depth]


def _cell_columns() -> Select[Any]:
    # Row and Select are variadic in SQLAlchemy 2.1; callers read these rows by column name.
    return cast("Select[Any]", select(Cell.id, Cell.code, Cell.level, Cell.parent_id, Cell.path))


async def cell_by_code(session: AsyncSession, code: str) -> Row[Any] | None:
    result = await session.execute(_cell_columns().where(Cell.code == code))
    return cast("Row[Any] | None", result.first())


@dataclass(frozen=True)
class ReachRule:
    """Which entities can reach into a root cell C: see `reach_rule`."""

    root_path: str
    ancestor_ids: list[int]
    # (path ranges, reach levels allowed there besides null); an empty list allows null only.
    ranges: list[tuple[list[str], list[Level]]]

    def clause(self, path_col: Any, cell_col: Any, reach_col: Any) -> ColumnElement[bool]:
        """SQL keeping the rows of entities (cell path, cell id, reach) that can reach into C."""
        clauses = [_in_subtree(path_col, self.root_path)]
        if self.ancestor_ids:
            clauses.append(cell_col.in_(self.ancestor_ids))
        for paths, levels in self.ranges:
            reach_ok = reach_col.is_(None)
            if levels:
                reach_ok = or_(reach_ok, reach_col.in_(levels))
            clauses.append(and_(or_(*(_in_subtree(path_col, p) for p in paths)), reach_ok))
        return or_(*clauses)


def _ancestor_paths(path: str) -> list[str]:
    """Paths of the proper ancestors, root first: the prefixes of the cell's own path."""
    parts = path.strip("/").split("/")[:-1]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


async def reach_rule(session: AsyncSession, root_path: str) -> ReachRule:
    """The exact rule for who can reach into the cell at `root_path` (call it C).

    An entity at X with reach R serves the subtree of its reach cell: the lowest cell on X's
    chain at or above level R (the contract's rule; the root when there is none). Outside C's
    subtree that cell must be a proper ancestor A of C, which holds iff X is A itself, or X lies
    under a child B of A with R strictly above B's level (then every cell below A on X's chain is
    too deep to be the reach cell). B's level is usually one below A's, but the contract allows
    skipped levels, so the children's levels are read rather than assumed.
    """
    ancestor_paths = _ancestor_paths(root_path)
    ancestor_ids = [_path_ids(p)[-1] for p in ancestor_paths]
    by_parent: dict[int, dict[Level, list[str]]] = defaultdict(lambda: defaultdict(list))
    if ancestor_ids:
        children = await session.execute(
            select(Cell.parent_id, Cell.level, Cell.path).where(Cell.parent_id.in_(ancestor_ids))
        )
        for row in children:
            by_parent[int(row.parent_id)][Level(row.level)].append(row.path)
    ranges: list[tuple[list[str], list[Level]]] = []
    for parent_id, parent_path in zip(ancestor_ids, ancestor_paths, strict=True):
        levels = by_parent[parent_id]
        for level, paths in levels.items():
            # One child level (the usual grid): the parent's whole range says the same, cheaper.
            ranges.append(([parent_path] if len(levels) == 1 else paths, _levels_above(level)))
    return ReachRule(root_path, ancestor_ids, ranges)


async def _cells_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Row[Any]]:
    rows: list[Row[Any]] = []
    for chunk in _chunks(sorted(set(ids))):
        rows.extend(await session.execute(_cell_columns().where(Cell.id.in_(chunk))))
    return rows


async def open_needs(
    session: AsyncSession, root_path: str, start: date, end: date
) -> list[Row[Any]]:
    """OPEN needs without a live deed in the subtree whose window meets the period, with their
    household's vulnerability flags (null without a household)."""
    stmt = (
        columns_of(Need)
        .add_columns(
            Cell.path.label("cell_path"),
            Household.elderly_alone,
            Household.disability,
            Household.low_income,
        )
        .join(Cell, Cell.id == Need.cell_id)
        .outerjoin(Household, Household.id == Need.household_id)
        .where(
            Need.status == NeedStatus.OPEN,
            # An OPEN need that already has a live deed (its status not yet moved on) is promised.
            ~exists().where(Deed.need_id == Need.id, Deed.status.in_(ACTIVE_DEED)),
            _in_subtree(Cell.path, root_path),
            _overlaps(Need.window_from, Need.window_to, start, end),
        )
        .order_by(Need.id)
    )
    return list(await session.execute(stmt))


async def reachable_people(
    session: AsyncSession, rule: ReachRule, start: date, end: date
) -> list[Row[Any]]:
    """Active people available in the period whose reach cell contains the root."""
    return await _reachable(session, Person, Person.active.is_(True), rule, start, end)


async def reachable_resources(
    session: AsyncSession, rule: ReachRule, start: date, end: date
) -> list[Row[Any]]:
    """ACTIVE resources available in the period whose reach cell contains the root."""
    active = Resource.status == ResourceStatus.ACTIVE
    return await _reachable(session, Resource, active, rule, start, end)


async def _reachable(
    session: AsyncSession,
    model: type[Person | Resource],
    active: ColumnElement[bool],
    rule: ReachRule,
    start: date,
    end: date,
) -> list[Row[Any]]:
    """Rows of `model` (people or resources) that are `active`, available in the period and
    whose reach cell contains the root, with their cell's path, by id."""
    stmt = (
        columns_of(model)
        .add_columns(Cell.path.label("cell_path"))
        .join(Cell, Cell.id == model.cell_id)
        .where(
            active,
            _overlaps(model.available_from, model.available_to, start, end),
            rule.clause(Cell.path, model.cell_id, model.reach),
        )
        .order_by(model.id)
    )
    return list(await session.execute(stmt))


async def person_usage(session: AsyncSession, ids: Sequence[int]) -> dict[int, PersonUsage]:
    """Team memberships, their hours, and leads of each person in active deeds."""
    team: dict[int, tuple[int, int]] = {}
    leads: dict[int, int] = {}
    for chunk in _chunks(ids):
        team_stmt = (
            select(DeedMember.person_id, func.count(), func.coalesce(func.sum(Need.hours), 0))
            .join(Deed, Deed.id == DeedMember.deed_id)
            .join(Need, Need.id == Deed.need_id)
            .where(
                DeedMember.role == DeedRole.TEAM,
                DeedMember.person_id.in_(chunk),
                Deed.status.in_(ACTIVE_DEED),
            )
            .group_by(DeedMember.person_id)
        )
        for person_id, count, hours in await session.execute(team_stmt):
            team[person_id] = (int(count), int(hours))
        # A lead is recorded as deeds.lead_id and as a LEAD member row; count each deed once.
        led = union(
            select(Deed.lead_id.label("person_id"), Deed.id.label("deed_id")).where(
                Deed.lead_id.in_(chunk), Deed.status.in_(ACTIVE_DEED)
            ),
            select(DeedMember.person_id, DeedMember.deed_id)
            .join(Deed, Deed.id == DeedMember.deed_id)
            .where(
                DeedMember.role == DeedRole.LEAD,
                DeedMember.person_id.in_(chunk),
                Deed.status.in_(ACTIVE_DEED),
            ),
        ).subquery()
        lead_stmt = select(led.c.person_id, func.count(distinct(led.c.deed_id))).group_by(
            led.c.person_id
        )
        for person_id, count in await session.execute(lead_stmt):
            leads[person_id] = int(count)
    return {
        pid: PersonUsage(team.get(pid, (0, 0))[0], team.get(pid, (0, 0))[1], leads.get(pid, 0))
        for pid in set(team) | set(leads)
    }


async def resource_units(session: AsyncSession, ids: Sequence[int]) -> dict[int, int]:
    """Units of each resource committed to active deeds."""
    units: dict[int, int] = {}
    for chunk in _chunks(ids):
        stmt = (
            select(DeedResource.resource_id, func.sum(DeedResource.quantity))
            .join(Deed, Deed.id == DeedResource.deed_id)
            .where(DeedResource.resource_id.in_(chunk), Deed.status.in_(ACTIVE_DEED))
            .group_by(DeedResource.resource_id)
        )
        for resource_id, total in await session.execute(stmt):
            units[resource_id] = int(total or 0)
    return units


async def instance_rows(
    session: AsyncSession, code: str, start: date, end: date
) -> InstanceRows | None:
    """Every row of the instance for cell `code` and [start, end]; None for an unknown code."""
    root = await cell_by_code(session, code)
    if root is None:
        return None
    needs = await open_needs(session, root.path, start, end)
    rule = await reach_rule(session, root.path)
    people = await reachable_people(session, rule, start, end)
    resources = await reachable_resources(session, rule, start, end)
    chain_ids = set(_path_ids(root.path))
    for row in (*needs, *people, *resources):
        chain_ids.update(_path_ids(row.cell_path))
    return InstanceRows(
        root=root,
        needs=needs,
        people=people,
        resources=resources,
        cells=await _cells_by_ids(session, sorted(chain_ids)),
        person_usage=await person_usage(session, [p.id for p in people]),
        resource_units=await resource_units(session, [r.id for r in resources]),
    )
