"""Root fields of optimisation runs: queries, mutations and the progress subscription.

Query and Mutation inherit these fields (schema/query.py, schema/mutation.py); the
Subscription root is this module's own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import date
from typing import Annotated

import strawberry

from sandan.db.enums import DeedRole
from sandan.db.models.runs import FINISHED, ConstraintKind, RunStatus
from sandan.resolvers.errors import QueryError, QueryErrorCode
from sandan.resolvers.runs import pin_resource as pinning
from sandan.resolvers.runs import reads, review, service
from sandan.resolvers.runs.rows import pk_of
from sandan.resolvers.runs.service import RunErrorCode, RunProblem
from sandan.schema.connections import After, Connection, First
from sandan.schema.context import Info
from sandan.schema.enums import described_enum
from sandan.schema.types.deeds import Deed
from sandan.schema.types.runs import OptimisationRun, OptimisationRunStatus, RunConstraint

PAGE = "Relay paging: `first` (capped by the server) items after cursor `after`."
# How often a subscription reads the run row: progress reaches every server process this way.
WATCH_SECONDS = 0.4

OptimisationErrorCode = described_enum(RunErrorCode, name="OptimisationErrorCode")
RunId = Annotated[
    strawberry.ID, strawberry.argument(description="The run's id (OptimisationRun.id).")
]
ConstraintId = Annotated[
    strawberry.ID, strawberry.argument(description="The pin or forbid's id (RunConstraint.id).")
]


@strawberry.type(description="An expected failure of a run or review mutation.")
class OptimisationError:
    code: OptimisationErrorCode = strawberry.field(  # type: ignore[valid-type]
        description="What went wrong, as a code to branch on."
    )
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    message: str = strawberry.field(
        description="What went wrong and how to fix it, in words to show staff."
    )


def _errors(problems: list[RunProblem]) -> list[OptimisationError]:
    return [OptimisationError(code=p.code, field=p.field, message=p.message) for p in problems]


@strawberry.input(description="What to optimise: a town or village and a period.")
class StartOptimisationInput:
    cell: strawberry.ID = strawberry.field(description="A TOWN or VILLAGE cell in your scope.")
    from_: date = strawberry.field(name="from", description="First day of the period.")
    to: date = strawberry.field(description="Last day (at most a year after `from`).")
    time_limit_seconds: int = strawberry.field(default=60, description="1 to 600 seconds.")
    seed: int = strawberry.field(default=0, description="Solver seed (reproducible answers).")


@strawberry.input(description="A person who must (PIN) or must not (FORBID) serve a need.")
class RunConstraintInput:
    need: strawberry.ID = strawberry.field(description="The need (Need.id), in your scope.")
    person: strawberry.ID = strawberry.field(description="The person (Person.id) to pin or forbid.")
    role: DeedRole = strawberry.field(
        default=DeedRole.TEAM, description="For a pin: LEAD or TEAM (ignored for a forbid)."
    )
    period_from: date | None = strawberry.field(
        default=None, description="Apply only to runs meeting this period (null: any)."
    )
    period_to: date | None = strawberry.field(default=None, description="See periodFrom.")
    reason: str | None = strawberry.field(default=None, description="Why (at most 500 chars).")


@strawberry.input(
    description="Units of a resource to reserve for a need in later runs (a resource pin)."
)
class ResourcePinInput:
    need: strawberry.ID = strawberry.field(
        description="The need (Need.id), in your scope, OPEN and without an approved deed."
    )
    resource: strawberry.ID = strawberry.field(
        description="The resource (Resource.id), in your scope and ACTIVE: it must reach the "
        "need's cell, serve its category, be available in its window and be of a kind the "
        "need requests."
    )
    quantity: int = strawberry.field(
        default=1,
        description="Units to reserve: at least 1, at most what the need requests of that kind "
        "(less other pins) and what the resource has free (less approved deeds and other pins).",
    )
    period_from: date | None = strawberry.field(
        default=None, description="Apply only to runs meeting this period (null: any)."
    )
    period_to: date | None = strawberry.field(default=None, description="See periodFrom.")
    reason: str | None = strawberry.field(default=None, description="Why (at most 500 chars).")


ConstraintArgument = Annotated[
    RunConstraintInput, strawberry.argument(description="The need, the person and the terms.")
]
DeedIds = Annotated[
    list[strawberry.ID],
    strawberry.argument(description="PROPOSED deeds' ids (Deed.id), at most 500 at once."),
]


@strawberry.type(description="The run, or why it could not be started or cancelled.")
class OptimisationRunPayload:
    run: OptimisationRun | None = strawberry.field(
        description="The run as it now is; null when errors is not empty."
    )
    errors: list[OptimisationError] = strawberry.field(
        description="Why nothing changed; empty on success."
    )


@strawberry.type(description="The reviewed deeds, or why none was changed.")
class ReviewDeedsPayload:
    deeds: list[Deed] = strawberry.field(
        description="The deeds as reviewed (APPROVED or REJECTED); empty when errors is not."
    )
    errors: list[OptimisationError] = strawberry.field(
        description="Why no deed changed (all or none); empty on success."
    )


@strawberry.type(description="The pin or forbid, or why it was refused.")
class RunConstraintPayload:
    constraint: RunConstraint | None = strawberry.field(
        description="The pin or forbid as it now is; null when errors is not empty."
    )
    errors: list[OptimisationError] = strawberry.field(
        description="Why nothing changed; empty on success."
    )


async def _run_payload(
    info: Info, pk: int | None, problems: list[RunProblem]
) -> OptimisationRunPayload:
    row = None if pk is None else await reads.run_row(info.context, pk)
    return OptimisationRunPayload(
        run=None if row is None else OptimisationRun.from_row(row), errors=_errors(problems)
    )


async def _constraint_payload(
    info: Info, pk: int | None, problems: list[RunProblem]
) -> RunConstraintPayload:
    from sandan.db.reader import connect
    from sandan.db.repositories.run_results import constraint_by_id

    row = None
    if pk is not None:
        async with connect(info.context.read_engine) as conn:
            row = await constraint_by_id(conn, pk)
    return RunConstraintPayload(
        constraint=None if row is None else RunConstraint.from_row(row), errors=_errors(problems)
    )


async def _deeds(info: Info, pks: list[int]) -> list[Deed]:
    found = await info.context.loaders.deed_by_id.load_many(pks)
    return [d for d in found if d is not None]


@strawberry.type
class RunsQuery:
    @strawberry.field(description="One optimisation run (staff whose scope covers its cell).")
    async def optimisation_run(self, info: Info, id: RunId) -> OptimisationRun | None:
        return await reads.run(info.context, id)

    @strawberry.field(description="Optimisation runs in your scope, newest first. " + PAGE)
    async def optimisation_runs(
        self,
        info: Info,
        cell: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only runs of this cell.")
        ] = None,
        status: Annotated[
            list[OptimisationRunStatus] | None,
            strawberry.argument(description="Only runs in these states."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[OptimisationRun]:
        return await reads.run_list(info.context, cell, status, first, after)

    @strawberry.field(description="Pins and forbids on needs in a cell's subtree. " + PAGE)
    async def run_constraints(
        self,
        info: Info,
        cell: Annotated[
            strawberry.ID,
            strawberry.argument(description="A cell you manage: pins and forbids in its subtree."),
        ],
        include_lifted: Annotated[
            bool, strawberry.argument(description="Also list lifted ones (the history).")
        ] = False,
        first: First = None,
        after: After = None,
    ) -> Connection[RunConstraint]:
        return await reads.constraints(info.context, cell, include_lifted, first, after)


@strawberry.type
class RunsMutation:
    @strawberry.mutation(
        description="Queue an optimisation run of a town or village over a period; returns at "
        "once with the run as it then is: QUEUED, or already RUNNING when an idle worker took "
        "it at once. Follow it with the optimisationRun subscription or by polling."
    )
    async def start_optimisation(
        self,
        info: Info,
        input: Annotated[
            StartOptimisationInput,
            strawberry.argument(description="The cell, period, time limit and seed of the run."),
        ],
    ) -> OptimisationRunPayload:
        pk, problems = await service.start(
            info.context, input.cell, input.from_, input.to, input.time_limit_seconds, input.seed
        )
        return await _run_payload(info, pk, problems)

    @strawberry.mutation(
        description="Cancel a run: a queued one at once; a running one stops within 2 s and "
        "writes nothing, or writes its best answer so far when keepBest is true."
    )
    async def cancel_optimisation(
        self,
        info: Info,
        id: RunId,
        keep_best: Annotated[
            bool,
            strawberry.argument(description="Write the best answer found so far as proposals."),
        ] = False,
    ) -> OptimisationRunPayload:
        pk, problems = await service.cancel(info.context, id, keep_best)
        return await _run_payload(info, pk, problems)

    @strawberry.mutation(
        description="Approve PROPOSED deeds (all or none). Approved deeds "
        "keep their lead, team and resources in every later run."
    )
    async def approve_deeds(self, info: Info, ids: DeedIds) -> ReviewDeedsPayload:
        pks, problems = await review.review(info.context, list(ids), approve=True)
        return ReviewDeedsPayload(deeds=await _deeds(info, pks), errors=_errors(problems))

    @strawberry.mutation(
        description="Reject PROPOSED deeds (all or none); each one's lead is "
        "then forbidden for its need in later runs of the period."
    )
    async def reject_deeds(
        self,
        info: Info,
        ids: DeedIds,
        reason: Annotated[
            str,
            strawberry.argument(description="Why (shown as rejectedReason; at most 500 chars)."),
        ],
    ) -> ReviewDeedsPayload:
        pks, problems = await review.review(info.context, list(ids), approve=False, reason=reason)
        return ReviewDeedsPayload(deeds=await _deeds(info, pks), errors=_errors(problems))

    @strawberry.mutation(description="Pin a person to a need for later runs (until lifted).")
    async def pin(self, info: Info, input: ConstraintArgument) -> RunConstraintPayload:
        pk, problems = await review.add_constraint(
            info.context, _constraint(ConstraintKind.PIN, input)
        )
        return await _constraint_payload(info, pk, problems)

    @strawberry.mutation(description="Forbid a person for a need in later runs (until lifted).")
    async def forbid(self, info: Info, input: ConstraintArgument) -> RunConstraintPayload:
        pk, problems = await review.add_constraint(
            info.context, _constraint(ConstraintKind.FORBID, input)
        )
        return await _constraint_payload(info, pk, problems)

    @strawberry.mutation(
        description="Pin units of a resource to a need for later runs (until lifted): each run "
        "reserves them before solving (off the resource's capacity and the need's request) and "
        "adds them to the need's deed when it proposes one; a need left unmatched holds "
        "nothing. Listed with the person pins in runConstraints; lift it with "
        "liftRunConstraint. It does not force the need to be fulfilled (a person pin does)."
    )
    async def pin_resource(
        self,
        info: Info,
        input: Annotated[
            ResourcePinInput,
            strawberry.argument(description="The need, the resource, the units and the terms."),
        ],
    ) -> RunConstraintPayload:
        pk, problems = await pinning.pin_resource(
            info.context,
            pinning.ResourcePinInput(
                need=input.need,
                resource=input.resource,
                quantity=input.quantity,
                period_from=input.period_from,
                period_to=input.period_to,
                reason=input.reason,
            ),
        )
        return await _constraint_payload(info, pk, problems)

    @strawberry.mutation(description="Lift a pin or forbid: later runs no longer apply it.")
    async def lift_run_constraint(self, info: Info, id: ConstraintId) -> RunConstraintPayload:
        pk, problems = await review.lift(info.context, id)
        return await _constraint_payload(info, pk, problems)


def _constraint(kind: ConstraintKind, data: RunConstraintInput) -> review.ConstraintInput:
    return review.ConstraintInput(
        kind=kind,
        need=data.need,
        person=data.person,
        role=DeedRole(data.role),
        period_from=data.period_from,
        period_to=data.period_to,
        reason=data.reason,
    )


@strawberry.type(
    name="Subscription",
    description="Live updates over a websocket (graphql-transport-ws); staff only.",
)
class RunsSubscription:
    @strawberry.subscription(
        description="The run now, then again whenever its status or progress changes (at most "
        "a few times a second), ending with its final state. Authenticate in connection_init's "
        'payload: {"authorization": "Bearer <staff token>"}.'
    )
    async def optimisation_run(
        self, info: Info, id: RunId
    ) -> AsyncGenerator[OptimisationRun, None]:
        pk = pk_of(id, "OptimisationRun", "id")
        last = None
        while True:
            row = await reads.run_row(info.context, pk)
            if row is None:
                raise QueryError(QueryErrorCode.NOT_FOUND, "id", "no run you manage has this id")
            state = (row.status, row.updated_at, row.heartbeat_at is None, str(row.progress))
            if state != last:
                last = state
                yield OptimisationRun.from_row(row)
            if RunStatus(row.status) in FINISHED:
                return
            await asyncio.sleep(WATCH_SECONDS)
