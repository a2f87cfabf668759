"""The first step of every connection root: the filtered, scoped page query, nothing read.

Each root's arguments are checked and its filters and the caller's read scope applied here.
The loader path then reads the page (`resolvers.queries.read_page`); the JSON path hands the
same query to PostgreSQL (`schema.fastpath.pages`). Both read paths thus share one argument
check, so a bad argument is the same error on each.

`PAGE_ROWS` is the public table the JSON path uses: root field -> the function selecting its
rows from the root's arguments other than `first` and `after`, by their Python names (a test
checks the names match); `page_query` adds the page size and cursor to it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select

from sandan.db import models
from sandan.db.repositories import audit, grid, lists, members, public_board
from sandan.resolvers import claim_pages
from sandan.resolvers.accounts import account_rows
from sandan.resolvers.deeds.clock import today
from sandan.resolvers.errors import QueryError, QueryErrorCode
from sandan.resolvers.permissions import Action, may
from sandan.resolvers.runs.rows import optimisation_runs, run_constraints
from sandan.resolvers.text import unprintable
from sandan.schema.connections import BadCursor, decode_cursor
from sandan.schema.context import Context
from sandan.schema.ids import BadGlobalId, from_global_id, shown
from sandan.schema.inputs import DeedFilter, NeedFilter, ResourceFilter
from sandan.schema.types.audit import AuditEventFilter
from sandan.schema.types.grid import Cell
from sandan.schema.types.public import PublicDeedFilter


@dataclass(frozen=True)
class PageQuery:
    """A page as its arguments decide it: the filtered select (scopes and filters applied),
    its id column (pages run in id order), the checked page size and the decoded cursor."""

    rows: Select[Any]
    id_column: Any  # the mapped id attribute of the rows' model (`models.Need.id`)
    first: int
    after: int | None
    # The cursor as the client sent it: an empty page reports it back as its position.
    after_cursor: str | None
    # Highest id first (a list whose newest entries matter most, e.g. optimisation runs).
    newest_first: bool = False


@dataclass(frozen=True)
class NewestFirst:
    """A builder's id column when its root pages from the highest id down."""

    column: Any


# The filtered select of a root's rows and their id column (pages run in id order, or highest id
# first when the column is wrapped in NewestFirst).
Rows = tuple[Select[Any], Any]
RowsBuilder = Callable[..., Awaitable[Rows]]


def page_size(ctx: Context, first: int | None) -> int:
    if first is None:
        return ctx.settings.default_page_size
    if first < 0:
        raise QueryError(QueryErrorCode.PAGE_SIZE, "first", "first must not be negative")
    if first > ctx.settings.max_page_size:
        raise QueryError(
            QueryErrorCode.PAGE_SIZE,
            "first",
            f"first is {first}; a page holds at most {ctx.settings.max_page_size} items",
        )
    return first


# Names and titles are short: a longer search cannot match and costs a scan of its own.
MAX_SEARCH = 200


def searched(search: str | None, field: str) -> str | None:
    """A search text fit to send to the database, or a typed error. A NUL would end the
    pattern early in SQLite (matching every row) and is refused by PostgreSQL; a lone surrogate
    cannot be encoded: both are refused rather than matched some other way."""
    if search is None:
        return None
    if len(search) > MAX_SEARCH:
        message = f"is {len(search)} characters; at most {MAX_SEARCH}"
        raise QueryError(QueryErrorCode.INVALID_ARGUMENT, field, message)
    if unprintable(search):
        message = "holds a control character or an unpaired surrogate: send plain text"
        raise QueryError(QueryErrorCode.INVALID_ARGUMENT, field, message)
    return search


def after_pk(after: str | None) -> int | None:
    if after is None:
        return None
    try:
        return decode_cursor(after)
    except BadCursor as e:
        raise QueryError(QueryErrorCode.INVALID_CURSOR, "after", str(e)) from None


async def cell_path(ctx: Context, global_id: str | None, field: str) -> str | None:
    """The ancestry path of the cell a filter names (None when no cell is named)."""
    if global_id is None:
        return None
    return (await named_cell(ctx, global_id, field)).path


async def named_cell(ctx: Context, global_id: str, field: str) -> Cell:
    """The cell an argument names by its global id; INVALID_ID or NOT_FOUND on `field`."""
    try:
        _, pk = from_global_id(global_id, expect="Cell")
    except BadGlobalId as e:
        raise QueryError(QueryErrorCode.INVALID_ID, field, str(e)) from None
    cell: Cell | None = await ctx.loaders.cell_by_id.load(pk)
    if cell is None:
        raise QueryError(QueryErrorCode.NOT_FOUND, field, f"no cell has id {shown(global_id)}")
    return cell


async def page_query(
    ctx: Context,
    rows_of: RowsBuilder,
    *,
    first: int | None = None,
    after: str | None = None,
    **arguments: Any,
) -> PageQuery:
    """The page query of a root whose rows `rows_of` selects from the root's other arguments.
    Those are checked first, then the page size and cursor (the order errors surface in)."""
    rows, id_column = await rows_of(ctx, **arguments)
    newest_first = isinstance(id_column, NewestFirst)
    if newest_first:
        id_column = id_column.column
    size, start = page_size(ctx, first), after_pk(after)
    return PageQuery(rows, id_column, size, start, after, newest_first)


def _values(items: Sequence[Any] | None) -> tuple[Any, ...]:
    return tuple(items or ())


async def cells(
    ctx: Context,
    *,
    level: Any = None,
    under: str | None = None,
    search: str | None = None,
) -> Rows:
    path = await cell_path(ctx, under, "under")
    search = searched(search, "search")
    stmt = grid.filtered_cells(ctx.viewer.read, level=level, under_path=path, search=search)
    return stmt, models.Cell.id


async def needs(
    ctx: Context,
    *,
    filter: NeedFilter | None = None,
) -> Rows:
    f = filter or NeedFilter()
    flt = lists.NeedFilter(
        under_path=await cell_path(ctx, f.under, "filter.under"),
        categories=_values(f.category),
        statuses=_values(f.status),
        urgencies=_values(f.urgency),
        search=searched(f.search, "filter.search"),
    )
    return lists.filtered_needs(ctx.viewer.read, ctx.viewer.personal, flt), models.Need.id


async def resources(
    ctx: Context,
    *,
    filter: ResourceFilter | None = None,
) -> Rows:
    f = filter or ResourceFilter()
    flt = lists.ResourceFilter(
        under_path=await cell_path(ctx, f.under, "filter.under"),
        categories=_values(f.category),
        kinds=_values(f.kind),
        statuses=_values(f.status),
        search=searched(f.search, "filter.search"),
    )
    stmt = lists.filtered_resources(ctx.viewer.read, flt)
    return stmt, models.Resource.id


async def deeds(
    ctx: Context,
    *,
    filter: DeedFilter | None = None,
) -> Rows:
    f = filter or DeedFilter()
    flt = lists.DeedFilter(
        under_path=await cell_path(ctx, f.under, "filter.under"),
        statuses=_values(f.status),
        published=f.published,
        search=searched(f.search, "filter.search"),
        overdue=f.overdue,
        stalled=f.stalled,
        today=today(),
    )
    return lists.filtered_deeds(ctx.viewer.read, ctx.viewer.personal, flt), models.Deed.id


async def people(
    ctx: Context,
    *,
    under: str | None = None,
    search: str | None = None,
) -> Rows:
    path = await cell_path(ctx, under, "under")
    search = searched(search, "search")
    stmt = members.filtered_people(ctx.viewer.read, under_path=path, search=search)
    return stmt, models.Person.id


async def organisations(
    ctx: Context,
    *,
    under: str | None = None,
    kind: Any = None,
) -> Rows:
    path = await cell_path(ctx, under, "under")
    stmt = members.filtered_organisations(ctx.viewer.read, under_path=path, kind=kind)
    return stmt, models.Organisation.id


async def public_deeds(
    ctx: Context,
    *,
    cell: str | None = None,
    filter: PublicDeedFilter | None = None,
) -> Rows:
    """Published deeds for the public board (no scope: what is published is public)."""
    f = filter or PublicDeedFilter()
    under = None
    if cell is not None:
        found = await ctx.loaders.cell_by_code.load(cell)
        if found is None:
            raise QueryError(QueryErrorCode.NOT_FOUND, "cell", f"no cell has code {shown(cell)}")
        under = found.path
    flt = public_board.PublicDeedFilter(
        under_path=under,
        statuses=_values(f.status),
        categories=_values(f.category),
        search=searched(f.search, "filter.search"),
    )
    return public_board.public_deeds(flt), models.Deed.id


async def audit_events(ctx: Context, *, filter: AuditEventFilter | None = None) -> Rows:
    if not may(ctx.viewer, Action.READ_AUDIT):
        raise QueryError(
            QueryErrorCode.FORBIDDEN, "auditEvents", "only town admins may read the audit trail"
        )
    f = filter or AuditEventFilter()
    household = None
    if f.household is not None:
        try:
            _, household = from_global_id(f.household, expect="Household")
        except BadGlobalId as e:
            raise QueryError(QueryErrorCode.INVALID_ID, "filter.household", str(e)) from e
    flt = audit.EventFilter(
        account_id=f.account,
        operation=f.operation,
        household_id=household,
        since=f.from_,
        until=f.to,
    )
    return audit.filtered_events(flt), models.AuditEvent.id


# Connection roots by their GraphQL field name.
PAGE_ROWS: Mapping[str, RowsBuilder] = {
    "cells": cells,
    "needs": needs,
    "resources": resources,
    "deeds": deeds,
    "people": people,
    "organisations": organisations,
    "publicDeeds": public_deeds,
    "accounts": account_rows,
    "auditEvents": audit_events,
    "availableTasks": claim_pages.available_tasks,
    "partnerClaims": claim_pages.partner_claims,
    "optimisationRuns": optimisation_runs,
    "runConstraints": run_constraints,
}
