"""Reads of the resource, needs and deeds lists: batched for loaders and filtered for pages."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Select, String, and_, cast, or_

from sandan.db.enums import Category, DeedStatus, NeedStatus, ResourceKind, ResourceStatus, Urgency
from sandan.db.models import (
    Cell,
    Deed,
    DeedMember,
    DeedMilestone,
    DeedResource,
    Need,
    Resource,
)
from sandan.db.place import PLACE_COLUMN, place_cell_id, placed_within, shown_cell_id
from sandan.db.reader import Reader
from sandan.db.repositories.batch import (
    Record,
    columns_of,
    in_cells,
    rows_by_key,
    rows_grouped_by_key,
)
from sandan.db.repositories.deeds_progress import overdue_clause, stalled_clause
from sandan.db.scope import Scope

# The selects below are built once per distinct key (scopes, a filter without its search text)
# and reused: building the needs page's select and SQLAlchemy's cache key of it cost about
# 0.5 ms a request, a reused one keeps its cache key (BENCHMARKS.md, issue 8's check). A
# statement is a pure function of its key and holds no value that is not in it; statements
# are immutable (every method returns a copy). Search texts, which may name a resident, are
# never part of a key: they are added to the cached statement per request.
STATEMENTS = 256
_memoised = functools.lru_cache(maxsize=STATEMENTS)


def _placed(model: Any, scope: Scope) -> Select[Any]:
    # Needs and deeds carry the cell shown outside the personal scope (sandan.db.place).
    return in_cells(model, scope).add_columns(place_cell_id().label(PLACE_COLUMN))


@_memoised
def need_select(scope: Scope) -> Select[Any]:
    return _placed(Need, scope)


@_memoised
def resource_select(scope: Scope) -> Select[Any]:
    return in_cells(Resource, scope)


@_memoised
def deed_select(scope: Scope, unpublished: Scope) -> Select[Any]:
    """Deeds in `scope`; unpublished ones (proposed, approved, their plan, lead and team) only
    where `unpublished` covers their cell: the staff of that subtree. Every deed read goes
    through here, so pages, nested fields and `node(id:)` all hide them alike."""
    return _placed(Deed, scope).where(or_(Deed.published.is_(True), unpublished.clause(Cell.path)))


# The filters are keys of the statement caches: frozen, and their lists are tuples.
@dataclass(frozen=True)
class NeedFilter:
    under_path: str | None = None
    categories: tuple[Category, ...] = ()
    statuses: tuple[NeedStatus, ...] = ()
    urgencies: tuple[Urgency, ...] = ()
    search: str | None = None


@dataclass(frozen=True)
class ResourceFilter:
    under_path: str | None = None
    categories: tuple[Category, ...] = ()
    kinds: tuple[ResourceKind, ...] = ()
    statuses: tuple[ResourceStatus, ...] = ()
    search: str | None = None


@dataclass(frozen=True)
class DeedFilter:
    under_path: str | None = None
    statuses: tuple[DeedStatus, ...] = ()
    published: bool | None = None
    search: str | None = None
    overdue: bool | None = None
    stalled: bool | None = None
    today: date | None = None  # what overdue is measured against


def _under(stmt: Select[Any], under_path: str | None) -> Select[Any]:
    if under_path is None:
        return stmt
    return stmt.where(Scope.subtrees([under_path]).clause(Cell.path))


def _placed_under(stmt: Select[Any], under_path: str | None, personal: Scope) -> Select[Any]:
    """Rows whose place, as the caller sees it (sandan.db.place), lies under the cell."""
    if under_path is None:
        return stmt
    return stmt.where(placed_within(Scope.subtrees([under_path]), personal))


def _text(stmt: Select[Any], search: str | None, *columns: Any) -> Select[Any]:
    """Rows where any of the columns contains the text (case-insensitive for Latin letters;
    % and _ in the text match themselves)."""
    if not search:
        return stmt
    return stmt.where(or_(*(c.icontains(search, autoescape=True) for c in columns)))


def _categories_overlap(column: Any, categories: Sequence[Category]) -> Any:
    # A resource with no categories serves any category (the contract's rule). The JSON array
    # is matched as text ('"SAFETY"'): portable across both engines, and the other filters
    # (subtree, status) have already narrowed the rows.
    text = cast(column, String)
    return or_(text == "[]", *(text.contains(f'"{c.value}"') for c in categories))


def filtered_needs(scope: Scope, personal: Scope, f: NeedFilter) -> Select[Any]:
    """Needs matching `f`; the search reads a need's description (visit free text, personal)
    only where `personal` covers the need's cell, so a search cannot reveal it."""
    stmt = _needs_matching(scope, personal, replace(f, search=None))
    if not f.search:
        return stmt
    matches = (c.icontains(f.search, autoescape=True) for c in (Need.title, Need.public_text))
    private = and_(
        personal.clause(Cell.path), Need.description.icontains(f.search, autoescape=True)
    )
    return stmt.where(or_(*matches, private))


@_memoised
def _needs_matching(scope: Scope, personal: Scope, f: NeedFilter) -> Select[Any]:
    stmt = _placed_under(need_select(scope), f.under_path, personal)
    if f.categories:
        stmt = stmt.where(Need.category.in_(list(f.categories)))
    if f.statuses:
        stmt = stmt.where(Need.status.in_(list(f.statuses)))
    if f.urgencies:
        stmt = stmt.where(Need.urgency.in_(list(f.urgencies)))
    return stmt


def filtered_resources(scope: Scope, f: ResourceFilter) -> Select[Any]:
    stmt = _resources_matching(scope, replace(f, search=None))
    return _text(stmt, f.search, Resource.title, Resource.description)


@_memoised
def _resources_matching(scope: Scope, f: ResourceFilter) -> Select[Any]:
    stmt = _under(resource_select(scope), f.under_path)
    if f.categories:
        stmt = stmt.where(_categories_overlap(Resource.categories, f.categories))
    if f.kinds:
        stmt = stmt.where(Resource.kind.in_(list(f.kinds)))
    if f.statuses:
        stmt = stmt.where(Resource.status.in_(list(f.statuses)))
    return stmt


def filtered_deeds(scope: Scope, unpublished: Scope, f: DeedFilter) -> Select[Any]:
    # The day overdue is measured against is part of the key (a new day, a new statement).
    today = (f.today or date.today()) if f.overdue is not None else None
    stmt = _deeds_matching(scope, unpublished, replace(f, search=None, today=today))
    return _text(stmt, f.search, Deed.title)


@_memoised
def _deeds_matching(scope: Scope, unpublished: Scope, f: DeedFilter) -> Select[Any]:
    stmt = _placed_under(deed_select(scope, unpublished), f.under_path, unpublished)
    if f.statuses:
        stmt = stmt.where(Deed.status.in_(list(f.statuses)))
    if f.published is not None:
        stmt = stmt.where(Deed.published.is_(f.published))
    if f.overdue is not None and f.today is not None:
        late = overdue_clause(f.today)
        stmt = stmt.where(late if f.overdue else ~late)
    if f.stalled is not None:
        stmt = stmt.where(stalled_clause() if f.stalled else ~stalled_clause())
    return stmt


async def needs_by_ids(session: Reader, ids: Sequence[int], scope: Scope) -> dict[int, Record]:
    return await rows_by_key(session, need_select(scope), Need.id, ids)


@_memoised
def _shown_cell_id(personal: Scope) -> Any:
    return shown_cell_id(personal)


async def _placed_by_cell_ids(
    session: Reader, stmt: Select[Any], cell_ids: Sequence[int], personal: Scope, order: Any
) -> dict[int, list[Record]]:
    """Rows by the cell the caller sees them in (sandan.db.place): a branch's list holds its
    groups' rows where the caller sees them at the branch, and the group's list does not."""
    filed = stmt.selected_columns.cell_id
    if personal.is_everything:
        return await rows_grouped_by_key(session, stmt, filed, cell_ids, order)
    return await rows_grouped_by_key(
        session,
        stmt,
        _shown_cell_id(personal),
        cell_ids,
        order,
        # The same rows, said so that the cells' indexes (id, parent) find them.
        narrow=lambda chunk: or_(Cell.id.in_(chunk), Cell.parent_id.in_(chunk)),
    )


async def needs_by_cell_ids(
    session: Reader, cell_ids: Sequence[int], scope: Scope, personal: Scope
) -> dict[int, list[Record]]:
    return await _placed_by_cell_ids(session, need_select(scope), cell_ids, personal, Need.id)


async def resources_by_ids(session: Reader, ids: Sequence[int], scope: Scope) -> dict[int, Record]:
    return await rows_by_key(session, resource_select(scope), Resource.id, ids)


async def resources_by_cell_ids(
    session: Reader, cell_ids: Sequence[int], scope: Scope
) -> dict[int, list[Record]]:
    return await rows_grouped_by_key(
        session, resource_select(scope), Resource.cell_id, cell_ids, Resource.id
    )


async def deeds_by_ids(
    session: Reader, ids: Sequence[int], scope: Scope, unpublished: Scope
) -> dict[int, Record]:
    return await rows_by_key(session, deed_select(scope, unpublished), Deed.id, ids)


async def deeds_by_cell_ids(
    session: Reader, cell_ids: Sequence[int], scope: Scope, unpublished: Scope
) -> dict[int, list[Record]]:
    stmt = deed_select(scope, unpublished)
    return await _placed_by_cell_ids(session, stmt, cell_ids, unpublished, Deed.id)


async def deeds_by_need_ids(
    session: Reader, need_ids: Sequence[int], scope: Scope, unpublished: Scope
) -> dict[int, Record]:
    """The newest deed of each need (the live one, if a cancelled one came before it)."""
    stmt = deed_select(scope, unpublished).order_by(Deed.id)
    return await rows_by_key(session, stmt, Deed.need_id, need_ids)


async def members_by_deed_ids(session: Reader, deed_ids: Sequence[int]) -> dict[int, list[Record]]:
    return await rows_grouped_by_key(
        session, columns_of(DeedMember), DeedMember.deed_id, deed_ids, DeedMember.id
    )


async def deed_resources_by_deed_ids(
    session: Reader, deed_ids: Sequence[int]
) -> dict[int, list[Record]]:
    return await rows_grouped_by_key(
        session, columns_of(DeedResource), DeedResource.deed_id, deed_ids, DeedResource.id
    )


async def milestones_by_deed_ids(
    session: Reader, deed_ids: Sequence[int]
) -> dict[int, list[Record]]:
    return await rows_grouped_by_key(
        session, columns_of(DeedMilestone), DeedMilestone.deed_id, deed_ids, DeedMilestone.seq
    )
