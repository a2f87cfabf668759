"""The row selections of the run roots (`optimisationRuns`, `runConstraints`), registered in
`resolvers.pages.PAGE_ROWS`, and the id and scope checks every run read shares.

Runs are staff records: a caller sees the runs and pins of cells their staff scope covers,
nothing else (an empty page, as for any filter that matches nothing).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import false

from sandan.db.models.runs import OptimisationRun as RunRow
from sandan.db.models.runs import RunConstraint as ConstraintRow
from sandan.db.models.runs import RunStatus
from sandan.db.reader import connect
from sandan.db.repositories import run_results, runs
from sandan.resolvers.errors import QueryError, QueryErrorCode
from sandan.resolvers.paging import NewestFirst, Rows
from sandan.schema.context import Context, Viewer
from sandan.schema.ids import BadGlobalId, from_global_id


def may_see(viewer: Viewer, cell_path: str) -> bool:
    return viewer.staff and viewer.write.covers(cell_path)


def pk_of(global_id: str, type_name: str, field: str) -> int:
    try:
        return from_global_id(global_id, expect=type_name)[1]
    except BadGlobalId as e:
        raise QueryError(QueryErrorCode.INVALID_ID, field, str(e)) from None


async def optimisation_runs(
    ctx: Context, *, cell: str | None = None, status: Sequence[RunStatus] | None = None
) -> Rows:
    """Runs in the caller's staff scope, newest first."""
    cell_id = None if cell is None else pk_of(cell, "Cell", "cell")
    viewer = ctx.viewer
    scope = viewer.write.clause(RunRow.cell_path) if viewer.staff else false()
    stmt = runs.filtered_runs(cell_id=cell_id, statuses=list(status or []), scope=scope)
    return stmt, NewestFirst(RunRow.id)


async def run_constraints(ctx: Context, *, cell: str, include_lifted: bool = False) -> Rows:
    """Pins and forbids on needs in the subtree of a cell the caller manages, oldest first."""
    cell_pk = pk_of(cell, "Cell", "cell")
    async with connect(ctx.read_engine) as conn:
        found = await runs.cell_by_pk(conn, cell_pk)
    path = "" if found is None else str(found.path)
    stmt = run_results.constraints_of_cell(path, include_lifted)
    if found is None or not may_see(ctx.viewer, path):
        stmt = stmt.where(false())
    return stmt, ConstraintRow.id
