"""Reads of grid cells: by id or code, children, subtrees, and subtree statistics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, literal, select
from sqlalchemy.orm import aliased

from sandan.db.enums import DeedStatus, Level, NeedStatus
from sandan.db.models import Cell, Deed, Household, Need, Person
from sandan.db.place import coarsened
from sandan.db.reader import Reader
from sandan.db.repositories.batch import Record, columns_of, rows_by_key
from sandan.db.repositories.deeds_feedback import rating_measures
from sandan.db.repositories.deeds_progress import overdue_clause, stalled_clause
from sandan.db.scope import Scope


def cell_select(scope: Scope) -> Select[Any]:
    return columns_of(Cell).where(scope.clause(Cell.path))


async def cells_by_codes(session: Reader, codes: Sequence[str], scope: Scope) -> dict[str, Record]:
    return await rows_by_key(session, cell_select(scope), Cell.code, codes)


def filtered_cells(
    scope: Scope, *, level: Level | None, under_path: str | None, search: str | None
) -> Select[Any]:
    stmt = cell_select(scope)
    if level is not None:
        stmt = stmt.where(Cell.level == level)
    if under_path is not None:
        stmt = stmt.where(Scope.subtrees([under_path]).clause(Cell.path))
    if search:
        stmt = stmt.where(Cell.name.icontains(search, autoescape=True))
    return stmt


def ancestor_ids(path: str) -> list[int]:
    """Ids on the path from the root down to (not including) the cell itself."""
    return [int(part) for part in path.strip("/").split("/")[:-1]]


_Subtree = aliased(Cell, name="subtree_cell")


def _subtree_join() -> Any:
    # Rows of `Cell` (the requested cells) joined to every cell of their subtrees.
    upper = func.substr(Cell.path, 1, func.length(Cell.path) - 1).concat(literal("0"))
    return and_(_Subtree.path >= Cell.path, _Subtree.path < upper)


async def subtree_counts(
    session: Reader, cell_ids: Sequence[int], today: date, personal: Scope
) -> dict[int, dict[str, int]]:
    """people, households, needs, open needs, deeds by status, overdue and stalled deeds (as
    of `today`) and the households' ratings over each cell's whole subtree: one statement (a
    correlated count per measure) whatever the number of cells. Needs and deeds count where
    the caller sees them (sandan.db.place): a group's own are not in its subtree for a caller
    who sees them at its branch."""
    ids = list(dict.fromkeys(cell_ids))
    if not ids:
        return {}
    # Rows filed at the counted cell itself that this caller sees one level up.
    elsewhere = and_(_Subtree.id == Cell.id, coarsened(personal, _Subtree))

    def count(model: Any, *conditions: Any) -> Any:
        return (
            select(func.count(model.id))
            .join(_Subtree, model.cell_id == _Subtree.id)
            .where(_subtree_join(), *conditions)
            .scalar_subquery()
        )

    measures: dict[str, Any] = {
        "people": count(Person, Person.active.is_(True)),
        "households": count(Household, Household.active.is_(True)),
        "needs": count(Need, ~elsewhere),
        "open_needs": count(Need, Need.status == NeedStatus.OPEN, ~elsewhere),
    }
    for status in DeedStatus:
        measures[f"deeds:{status}"] = count(Deed, Deed.status == status, ~elsewhere)
    measures["overdue_deeds"] = count(Deed, overdue_clause(today), ~elsewhere)
    measures["stalled_deeds"] = count(Deed, stalled_clause(), ~elsewhere)
    measures.update(rating_measures(_Subtree, and_(_subtree_join(), ~elsewhere)))
    stmt = select(Cell.id, *(m.label(f"m{i}") for i, m in enumerate(measures.values())))
    counts: dict[int, dict[str, int]] = {}
    names = list(measures)
    for row in await session.execute(stmt.where(Cell.id.in_(ids))):
        counts[row[0]] = {name: int(value) for name, value in zip(names, row[1:], strict=True)}
    return counts
