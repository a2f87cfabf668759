"""Reads of one run, its proposals and unmatched needs (the run lists: `resolvers.runs.rows`).

Runs are staff records: a caller sees the runs of cells their staff scope covers, nothing else
(a run's proposals name people; the Person type applies its own personal-data scope on top).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sandan.db.models.runs import RunStatus
from sandan.db.reader import connect
from sandan.db.repositories import run_results, runs
from sandan.db.repositories.batch import Record
from sandan.resolvers.errors import QueryError, QueryErrorCode
from sandan.resolvers.paging import after_pk, page_query, page_size
from sandan.resolvers.queries import read_page
from sandan.resolvers.runs import rows
from sandan.resolvers.runs.rows import may_see, pk_of
from sandan.schema.connections import Connection, Edge, PageInfo, encode_cursor
from sandan.schema.context import Context
from sandan.schema.types.deeds import Deed
from sandan.schema.types.runs import OptimisationRun, RunConstraint, RunProposal, UnmatchedNeed

T = TypeVar("T")


def page(
    rows: Sequence[Record],
    limit: int,
    after: str | None,
    key: Callable[[Record], int],
    build: Callable[[Record], T],
    counter: Callable[[], Awaitable[int]],
) -> Connection[T]:
    """A Relay page from `limit + 1` rows read past the cursor."""
    shown = list(rows[:limit])
    edges = [Edge(cursor=encode_cursor(key(r)), node=build(r)) for r in shown]
    return Connection(
        edges=edges,
        nodes=[e.node for e in edges],
        page_info=PageInfo(
            has_next_page=len(rows) > limit,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else after,
            end_cursor=edges[-1].cursor if edges else after,
        ),
        counter=counter,
    )


async def run_row(ctx: Context, pk: int) -> Record | None:
    async with connect(ctx.read_engine) as conn:
        row = await runs.run_by_id(conn, pk)
    return row if row is not None and may_see(ctx.viewer, row.cell_path) else None


async def run(ctx: Context, global_id: str) -> OptimisationRun | None:
    row = await run_row(ctx, pk_of(global_id, "OptimisationRun", "id"))
    return None if row is None else OptimisationRun.from_row(row)


def _proposal(row: Record, ctx: Context) -> RunProposal:
    return RunProposal(
        deed=Deed.from_row(row, ctx.viewer),
        explanation=list(row.explanation),
        rejected_reason=row.rejected_reason,
    )


async def proposals(
    ctx: Context, run_pk: int, first: int | None, after: str | None
) -> Connection[RunProposal]:
    limit, start = page_size(ctx, first), after_pk(after)

    async def counter() -> int:
        async with connect(ctx.read_engine) as conn:
            return await run_results.count_proposals(conn, run_pk)

    async with connect(ctx.read_engine) as conn:
        rows = await run_results.proposals_page(conn, run_pk, start, limit + 1)
    return page(rows, limit, after, lambda r: int(r.id), lambda r: _proposal(r, ctx), counter)


def _unmatched(row: Record) -> UnmatchedNeed:
    return UnmatchedNeed(reasons=list(row.reasons), need_pk=row.need_id)


async def unmatched(
    ctx: Context, run_pk: int, reason: str | None, first: int | None, after: str | None
) -> Connection[UnmatchedNeed]:
    limit, start = page_size(ctx, first), after_pk(after)
    if reason is not None and not run_results.REASON_CODE.match(reason):
        raise QueryError(
            QueryErrorCode.INVALID_ARGUMENT,
            "reason",
            "a reason code is upper-case letters and underscores, e.g. NO_ELIGIBLE_LEAD",
        )

    async def counter() -> int:
        async with connect(ctx.read_engine) as conn:
            return await run_results.count_unmatched(conn, run_pk, reason)

    async with connect(ctx.read_engine) as conn:
        rows = await run_results.unmatched_page(conn, run_pk, reason, start, limit + 1)
    return page(rows, limit, after, lambda r: int(r.id), _unmatched, counter)


async def run_list(
    ctx: Context,
    cell: str | None,
    status: list[RunStatus] | None,
    first: int | None,
    after: str | None,
) -> Connection[OptimisationRun]:
    query = await page_query(
        ctx, rows.optimisation_runs, cell=cell, status=status, first=first, after=after
    )
    return await read_page(ctx, query, OptimisationRun.from_row)


async def constraints(
    ctx: Context, cell: str, include_lifted: bool, first: int | None, after: str | None
) -> Connection[RunConstraint]:
    query = await page_query(
        ctx,
        rows.run_constraints,
        cell=cell,
        include_lifted=include_lifted,
        first=first,
        after=after,
    )
    return await read_page(ctx, query, RunConstraint.from_row)
