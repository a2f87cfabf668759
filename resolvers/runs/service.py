"""Starting and cancelling runs: input checks, scope, and the queue row.

Mutations return (result, problems); a problem is data for the payload's `errors`, never an
exception. Nothing is written when there is a problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sandan.db.enums import Described, Level
from sandan.db.models.runs import FINISHED, CancelRequest, RunStatus
from sandan.db.repositories import runs
from sandan.db.repositories.batch import Record
from sandan.db.scope import Scope
from sandan.resolvers.permissions import Action, may
from sandan.schema.context import Context, Viewer
from sandan.schema.ids import BadGlobalId, from_global_id

MAX_PERIOD_DAYS = 366
MIN_TIME_LIMIT, MAX_TIME_LIMIT = 1, 600
RUN_LEVELS = (Level.TOWN, Level.VILLAGE)


class RunErrorCode(Described):
    """Why a run or review mutation refused its input."""

    REQUIRED = "REQUIRED", "A required input is empty (e.g. no ids, a blank reason)."
    INVALID_ID = "INVALID_ID", "An id is malformed or names another type; send an id as read."
    NOT_FOUND = "NOT_FOUND", "Nothing you manage has this id: check the id and your scope."
    FORBIDDEN = "FORBIDDEN", "Your role or scope does not allow this; ask a town admin."
    WRONG_LEVEL = "WRONG_LEVEL", "Runs are of a TOWN or VILLAGE cell; choose one of those."
    PERIOD_REVERSED = "PERIOD_REVERSED", "`to` is before `from`: swap or correct the dates."
    PERIOD_TOO_LONG = "PERIOD_TOO_LONG", "The period is over a year; plan a shorter one."
    OUT_OF_RANGE = "OUT_OF_RANGE", "A number is outside its range (the message gives it)."
    TOO_LONG = "TOO_LONG", "A text is longer than allowed (the message gives the limit)."
    ALREADY_FINISHED = "ALREADY_FINISHED", "The run has ended; there is nothing to cancel."
    NOT_PROPOSED = "NOT_PROPOSED", "A deed is not PROPOSED (already reviewed or not a proposal)."
    ALREADY_LIFTED = "ALREADY_LIFTED", "The pin or forbid was lifted already; nothing changed."
    NOT_ELIGIBLE = (
        "NOT_ELIGIBLE",
        "The resource cannot serve the need (reach, category, time, a kind the need does not "
        "request, a closed resource, or a need not open); the message says which.",
    )
    NOT_ENOUGH_CAPACITY = (
        "NOT_ENOUGH_CAPACITY",
        "The resource has fewer free units than asked (active deeds and other pins hold the "
        "rest); pin fewer units or lift another pin.",
    )


@dataclass(frozen=True)
class RunProblem:
    code: RunErrorCode
    field: str | None
    message: str


STAFF_ONLY = RunProblem(
    RunErrorCode.FORBIDDEN,
    None,
    "your role may not do this: village staff and town admins run and review optimisations",
)


def parse_id(global_id: str, type_name: str, field: str) -> tuple[int | None, list[RunProblem]]:
    try:
        return from_global_id(global_id, expect=type_name)[1], []
    except BadGlobalId as e:
        return None, [RunProblem(RunErrorCode.INVALID_ID, field, str(e))]


async def who(ctx: Context) -> str:
    """A label of the caller for who/when records (tokens carry a scope, not a name yet)."""
    return await scope_label(ctx, ctx.viewer.write)


async def scope_label(ctx: Context, scope: Scope) -> str:
    if scope.paths is None:
        return "staff of the whole grid"
    async with ctx.sessionmaker() as session:
        codes = await runs.cell_codes_by_paths(session, scope.paths)
    return "staff of " + ", ".join(sorted(codes))


def _period_problems(start: date, end: date) -> list[RunProblem]:
    if start > end:
        return [RunProblem(RunErrorCode.PERIOD_REVERSED, "to", f"{end} is before {start}")]
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        return [
            RunProblem(
                RunErrorCode.PERIOD_TOO_LONG,
                "to",
                f"the period has {(end - start).days + 1} days; a run plans at most a year "
                f"({MAX_PERIOD_DAYS} days)",
            )
        ]
    return []


def _limit_problems(time_limit: int, seed: int) -> list[RunProblem]:
    problems = []
    if not MIN_TIME_LIMIT <= time_limit <= MAX_TIME_LIMIT:
        problems.append(
            RunProblem(
                RunErrorCode.OUT_OF_RANGE,
                "timeLimitSeconds",
                f"is {time_limit}; give {MIN_TIME_LIMIT} to {MAX_TIME_LIMIT} seconds",
            )
        )
    if not 0 <= seed < 2**31:
        problems.append(RunProblem(RunErrorCode.OUT_OF_RANGE, "seed", "give 0 to 2147483647"))
    return problems


def _cell_problems(viewer: Viewer, cell: Record | None) -> list[RunProblem]:
    if cell is None:
        return [RunProblem(RunErrorCode.NOT_FOUND, "cell", "no cell has this id")]
    if cell.level not in RUN_LEVELS:
        return [
            RunProblem(
                RunErrorCode.WRONG_LEVEL,
                "cell",
                f"runs plan a town or a village; this cell is a {str(cell.level).lower()}",
            )
        ]
    if not viewer.write.covers(cell.path):
        return [RunProblem(RunErrorCode.FORBIDDEN, "cell", "this cell is outside your scope")]
    return []


async def start(
    ctx: Context, cell: str, start: date, end: date, time_limit: int, seed: int
) -> tuple[int | None, list[RunProblem]]:
    if not may(ctx.viewer, Action.RUN_OPTIMISATION):
        return None, [STAFF_ONLY]
    cell_pk, problems = parse_id(cell, "Cell", "cell")
    problems += _period_problems(start, end) + _limit_problems(time_limit, seed)
    started_by = await who(ctx)
    async with ctx.sessionmaker() as session:
        row = None if cell_pk is None else await runs.cell_by_pk(session, cell_pk)
        if cell_pk is not None:
            problems += _cell_problems(ctx.viewer, row)
        if problems or row is None:
            return None, problems
        values: dict[str, Any] = {
            "cell_id": row.id,
            "cell_path": row.path,
            "period_from": start,
            "period_to": end,
            "status": RunStatus.QUEUED,
            "time_limit_seconds": time_limit,
            "seed": seed,
            "started_by": started_by,
            "started_by_account_id": ctx.viewer.account_pk,
        }
        pk = await runs.insert_run(session, values)
        await session.commit()
    return pk, []


async def cancel(
    ctx: Context, global_id: str, keep_best: bool
) -> tuple[int | None, list[RunProblem]]:
    if not may(ctx.viewer, Action.RUN_OPTIMISATION):
        return None, [STAFF_ONLY]
    pk, problems = parse_id(global_id, "OptimisationRun", "id")
    if pk is None:
        return None, problems
    async with ctx.sessionmaker() as session:
        row = await runs.run_by_id(session, pk)
        if row is None or not ctx.viewer.write.covers(row.cell_path):
            return None, [RunProblem(RunErrorCode.NOT_FOUND, "id", "no run you manage has this id")]
        if row.status in FINISHED:
            return None, [
                RunProblem(RunErrorCode.ALREADY_FINISHED, "id", f"the run has ended ({row.status})")
            ]
        request = CancelRequest.KEEP_BEST if keep_best else CancelRequest.DISCARD
        await runs.cancel(session, pk, request)
        await session.commit()
    return pk, []
