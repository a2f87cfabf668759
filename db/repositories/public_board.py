"""Reads for the public board: published deeds with only their public columns.

Nothing here selects a resident's data: no household, no need description, no phone. A need
contributes its title and category; a lead contributes their name, role and kind (group
members act in public; their phones stay out). A deed is placed where the public sees its need
(sandan.db.place): a deed filed at a household-contact group is at the group's branch, for
every caller of the board.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import aliased

from sandan.db.enums import Category, DeedStatus
from sandan.db.models import Cell, Deed, Need, Person
from sandan.db.place import place_cell_id, placed_within
from sandan.db.reader import Reader
from sandan.db.scope import Scope


def is_public() -> ColumnElement[bool]:
    """Which deeds residents may see. Today the `published` flag; the deed lifecycle (issue
    #12) may turn this into a set of states, and every public read follows this one place."""
    return Deed.published.is_(True)


@dataclass(frozen=True)
class PublicDeedFilter:
    under_path: str | None = None
    statuses: Sequence[DeedStatus] = ()
    categories: Sequence[Category] = ()
    search: str | None = None


_Parent = aliased(Cell, name="parent_cell")
# The cell the public sees a deed at (`Cell` is the one it is filed at).
_Place = aliased(Cell, name="place_cell")
_PUBLIC = Scope.nothing()  # the board shows everyone what the public sees


def _placed(stmt: Select[Any]) -> Select[Any]:
    stmt = stmt.select_from(Deed).join(Cell, Cell.id == Deed.cell_id)
    return stmt.join(_Place, _Place.id == place_cell_id(Cell))


def _placed_under(under_path: str) -> ColumnElement[bool]:
    return placed_within(Scope.subtrees([under_path]), _PUBLIC)


def public_deeds(f: PublicDeedFilter) -> Select[Any]:
    """Published deeds with their cell (and its parent's name), their need's public title
    and their lead."""
    columns: list[Any] = [
        Deed.id,
        Deed.title,
        Deed.status,
        Deed.published_at,
        Deed.done_at,
        _Place.id.label("cell_id"),
        _Place.code.label("cell_code"),
        _Place.name.label("cell_name"),
        _Place.level.label("cell_level"),
        _Place.kind.label("cell_kind"),
        _Parent.name.label("parent_name"),
        Need.title.label("need_title"),
        Need.category.label("category"),
        Person.name.label("lead_name"),
        Person.role.label("lead_role"),
        Person.kind.label("lead_kind"),
    ]
    stmt = (
        _placed(select(*columns))
        .outerjoin(_Parent, _Parent.id == _Place.parent_id)
        .join(Need, Need.id == Deed.need_id)
        .outerjoin(Person, Person.id == Deed.lead_id)
        .where(is_public())
    )
    if f.under_path is not None:
        stmt = stmt.where(_placed_under(f.under_path))
    if f.statuses:
        stmt = stmt.where(Deed.status.in_(list(f.statuses)))
    if f.categories:
        stmt = stmt.where(Need.category.in_(list(f.categories)))
    if f.search:
        stmt = stmt.where(Deed.title.icontains(f.search, autoescape=True))
    return stmt


@dataclass(frozen=True)
class PathCounts:
    """Published deeds of one cell (not its subtree): all of them, and those done."""

    path: str
    published: int
    done: int


async def public_counts_by_path(session: Reader, under_path: str) -> list[PathCounts]:
    """Published deeds per cell (where the public sees them) over a subtree: one row per cell
    that has any, so a caller sums them up for any set of sub-subtrees (the board's children)
    in one statement."""
    counts: list[Any] = [_Place.path, func.count(Deed.id), func.count(Deed.done_at)]
    stmt = (
        _placed(select(*counts)).where(is_public(), _placed_under(under_path)).group_by(_Place.path)
    )
    result = await session.execute(stmt)
    return [PathCounts(path, int(n), int(done)) for path, n, done in result.all()]


async def root_cell_code(session: Reader) -> str | None:
    """The grid's top cell (the district, or the first town of a grid without one)."""
    stmt = select(Cell.code).where(Cell.parent_id.is_(None)).order_by(Cell.id).limit(1)
    code = await session.scalar(stmt)
    return None if code is None else str(code)
