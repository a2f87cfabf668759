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

from collections.abc import Mapping, Sequence
from typing import Any

from sandan.db import models
from sandan.db.repositories import audit, grid, lists, members, public_board
from sandan.resolvers import claim_pages
from sandan.resolvers.accounts import account_rows
from sandan.resolvers.deeds.clock import today
from sandan.resolvers.errors import QueryError, QueryErrorCode
from sandan.resolvers.paging import Rows, RowsBuilder, cell_path, searched
from sandan.resolvers.permissions import Action, may
from sandan.resolvers.runs.rows import optimisation_runs, run_constraints
from sandan.schema.context import Context
from sandan.schema.ids import BadGlobalId, from_global_id, shown
from sandan.schema.inputs import DeedFilter, NeedFilter, ResourceFilter
from sandan.schema.types.audit import AuditEventFilter
from sandan.schema.types.public import PublicDeedFilter


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
