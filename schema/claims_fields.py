"""The partner-work fields of Query and Mutation (mixed in): availableTasks, partnerClaims,
openToPartners, claimTask, releaseClaim, reportClaimProgress, confirmClaim, declineClaim.
The logic is sandan.resolvers.claims."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Annotated

import strawberry
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.enums import Category, TaskKind
from sandan.db.repositories import claim_reads as reads
from sandan.db.repositories import claims as repo
from sandan.resolvers import claim_pages, claim_release
from sandan.resolvers import claims as logic
from sandan.resolvers.claims import ClaimErrorCode, Refusal
from sandan.resolvers.errors import Problem
from sandan.resolvers.paging import page_query
from sandan.resolvers.queries import read_page
from sandan.schema.accounts import global_pk
from sandan.schema.connections import Connection
from sandan.schema.context import Context, Info, Viewer
from sandan.schema.enums import described_enum
from sandan.schema.types.claims import PartnerClaim, PartnerTask

described_enum(ClaimErrorCode)

ClaimId = Annotated[strawberry.ID, strawberry.argument(description="A PartnerClaim id.")]


def why(for_whom: str) -> object:
    """The argument saying why a claim changed, and who reads it."""
    return strawberry.argument(description=f"Why, {for_whom}.")


ERRORS = "Why it was refused; empty on success (then the change is made). Nothing is written on "
ERRORS += "errors."
First = Annotated[int | None, strawberry.argument(description="Page size (default 20).")]
After = Annotated[str | None, strawberry.argument(description="The previous page's endCursor.")]


@strawberry.input(description="Which open tasks to list; every field is optional.")
class TaskFilter:
    category: list[Category] | None = strawberry.field(
        default=None, description="Only these service domains."
    )
    skills: list[str] | None = strawberry.field(
        default=None, description="Only tasks asking at least one of these skills."
    )
    under: strawberry.ID | None = strawberry.field(
        default=None,
        description="A cell id: only tasks in that cell's subtree, placed as `PartnerTask.cell` "
        "shows them (a household-contact group's tasks are at its branch).",
    )
    from_: date | None = strawberry.field(
        default=None, name="from", description="Only tasks whose window is open on or after it."
    )
    to: date | None = strawberry.field(
        default=None, description="Only tasks whose window opens on or before it."
    )
    kind: TaskKind | None = strawberry.field(
        default=None, description="Only whole needs (NEED) or only team slots (SLOT)."
    )


@strawberry.type(description="A refused partner-work change: which field, why, a code.")
class ClaimError:
    code: ClaimErrorCode = strawberry.field(description="What kind of refusal: branch on this.")
    field: str | None = strawberry.field(description="The argument at fault; null: the whole.")
    message: str = strawberry.field(description="Plain words for people; no personal data.")


@strawberry.type(description="The answer of openToPartners.")
class TaskPayload:
    task: PartnerTask | None = strawberry.field(description="The open task; null on errors.")
    errors: list[ClaimError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The answer of a claim mutation.")
class ClaimPayload:
    claim: PartnerClaim | None = strawberry.field(description="The claim; null on errors.")
    errors: list[ClaimError] = strawberry.field(description=ERRORS)


def _errors(refusals: list[Refusal]) -> list[ClaimError]:
    return [ClaimError(code=r.code, field=r.field, message=r.message) for r in refusals]


def _pk(global_id: str | None, type_name: str, field: str, refusals: list[Refusal]) -> int | None:
    """`global_pk` with its problem as a refusal."""
    problems: list[Problem] = []
    pk = global_pk(global_id, type_name, field, problems)
    refusals.extend(Refusal(ClaimErrorCode.INVALID_ID, p.field, p.message) for p in problems)
    return pk


async def _claim(ctx: Context, pk: int) -> PartnerClaim | None:
    async with ctx.read_engine.connect() as conn:
        row = await reads.claim_by_id(conn, pk, logic.now())
    return None if row is None else PartnerClaim.from_row(row)


async def _on_claim(
    info: Info,
    claim_id: strawberry.ID,
    act: Callable[[AsyncSession, Viewer, int], Awaitable[list[Refusal]]],
) -> ClaimPayload:
    """Run `act` (session, viewer, claim pk) on a claim in one unit of work, and answer with
    the claim as it is now."""
    ctx = info.context
    refusals: list[Refusal] = []
    pk = _pk(claim_id, "PartnerClaim", "claim", refusals)
    if pk is None:
        return ClaimPayload(claim=None, errors=_errors(refusals))
    try:
        async with ctx.sessionmaker() as session, session.begin():
            refusals = await act(session, ctx.viewer, pk)
            if refusals:
                await session.rollback()
    except IntegrityError:
        refusals = [Refusal(ClaimErrorCode.CONFLICT, "claim", "the need has a deed already")]
    if refusals:
        return ClaimPayload(claim=None, errors=_errors(refusals))
    return ClaimPayload(claim=await _claim(ctx, pk), errors=[])


@strawberry.type
class ClaimQuery:
    @strawberry.field(
        description="Tasks a partner may claim now, in the cells its organisation serves: "
        "whole needs and deeds' free team slots that staff opened to partners and that are "
        "not filled, closed or past their window. Partner accounts only (others: FORBIDDEN). "
        "Oldest first, Relay paging."
    )
    async def available_tasks(
        self,
        info: Info,
        filter: Annotated[
            TaskFilter | None, strawberry.argument(description="Narrow the list.")
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[PartnerTask]:
        ctx = info.context
        query = await page_query(
            ctx, claim_pages.available_tasks, first=first, after=after, filter=filter
        )
        viewer = ctx.viewer
        return await read_page(ctx, query, lambda row: PartnerTask.from_row(row, viewer))

    @strawberry.field(
        description="Claims with their history: a partner sees its own; village staff and "
        "town admins those on tasks in their subtree; others none. Oldest first, Relay paging."
    )
    async def partner_claims(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[PartnerClaim]:
        ctx = info.context
        query = await page_query(ctx, claim_pages.partner_claims, first=first, after=after)
        return await read_page(ctx, query, PartnerClaim.from_row)


@strawberry.type
class ClaimMutation:
    @strawberry.mutation(
        description="Open a whole need (1 slot) or team slots of an APPROVED or IN_PROGRESS "
        "deed to partner organisations (village staff and town admins, in their subtree). "
        "Opening the same need or deed again sets its slots and closing time."
    )
    async def open_to_partners(
        self,
        info: Info,
        need: Annotated[
            strawberry.ID | None, strawberry.argument(description="An OPEN need to offer whole.")
        ] = None,
        deed: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="A deed whose team slots to offer."),
        ] = None,
        slots: Annotated[
            int, strawberry.argument(description="How many claims it takes (1-100; a need: 1).")
        ] = 1,
        until: Annotated[
            datetime | None,
            strawberry.argument(description="Take claims until then; null: until the window ends."),
        ] = None,
    ) -> TaskPayload:
        ctx = info.context
        refusals: list[Refusal] = []
        need_pk = _pk(need, "Need", "need", refusals)
        deed_pk = _pk(deed, "Deed", "deed", refusals)
        if refusals:
            return TaskPayload(task=None, errors=_errors(refusals))
        try:
            async with ctx.sessionmaker() as session, session.begin():
                pk, refusals = await logic.open_to_partners(
                    session, ctx.viewer, need_pk=need_pk, deed_pk=deed_pk, slots=slots, until=until
                )
                if pk is None:
                    await session.rollback()
        except IntegrityError:
            pk, refusals = None, [Refusal(ClaimErrorCode.CONFLICT, None, "opened meanwhile; retry")]
        if pk is None:
            return TaskPayload(task=None, errors=_errors(refusals))
        async with ctx.read_engine.connect() as conn:
            row = await repo.task_by_id(conn, pk, logic.now())
        return TaskPayload(task=PartnerTask.from_row(row, ctx.viewer), errors=[])

    @strawberry.mutation(
        description="Claim a free slot of an available task for your organisation (partners "
        "only). The claim holds the slot until staff confirm or decline it, you release it, or "
        "it expires unconfirmed (72 hours unless configured). At most a configured number of "
        "unconfirmed claims per organisation (CLAIM_CAP_REACHED); a filled task answers "
        "ALREADY_CLAIMED."
    )
    async def claim_task(
        self,
        info: Info,
        task: Annotated[strawberry.ID, strawberry.argument(description="A PartnerTask id.")],
        people: Annotated[
            list[strawberry.ID],
            strawberry.argument(description="Your organisation's people who will do it (1-50)."),
        ],
        note: Annotated[
            str | None, strawberry.argument(description="A note for staff (1000 characters).")
        ] = None,
    ) -> ClaimPayload:
        ctx = info.context
        refusals: list[Refusal] = []
        task_pk = _pk(task, "PartnerTask", "task", refusals)
        person_pks = [p for g in people if (p := _pk(g, "Person", "people", refusals)) is not None]
        if task_pk is None or refusals:
            return ClaimPayload(claim=None, errors=_errors(refusals))
        limits = logic.ClaimLimits(
            hold=timedelta(hours=ctx.settings.claim_hold_hours), cap=ctx.settings.partner_claim_cap
        )
        try:
            async with ctx.sessionmaker() as session, session.begin():
                pk, refusals = await logic.claim_task(
                    session, ctx.viewer, limits, task_pk=task_pk, people=person_pks, note=note
                )
                if pk is None:
                    await session.rollback()
        except IntegrityError as e:
            if not logic.is_held_slot_conflict(e):
                raise
            pk, refusals = None, [logic.already_claimed()]
        if pk is None:
            return ClaimPayload(claim=None, errors=_errors(refusals))
        return ClaimPayload(claim=await _claim(ctx, pk), errors=[])

    @strawberry.mutation(
        description="Release a claim. A partner gives up its own pending claim (its slot is "
        "free at once) or its confirmed claim; staff of the task's subtree release a confirmed "
        "claim. A confirmed claim needs a reason: its people leave the deed's team, or, for a "
        "whole need, the deed the confirmation created is CANCELLED with the reason and the "
        "need is OPEN again; the slot opens again and the history records it. Refused "
        "(WORK_FINISHED) once the deed is completed."
    )
    async def release_claim(
        self,
        info: Info,
        claim: ClaimId,
        reason: Annotated[
            str | None,
            why("for the history (1000 characters); required to release a confirmed claim"),
        ] = None,
    ) -> ClaimPayload:
        return await _on_claim(
            info, claim, lambda s, viewer, pk: claim_release.release_claim(s, viewer, pk, reason)
        )

    @strawberry.mutation(
        description="Report hours worked and percent done on a confirmed claim of yours "
        "(hours add up; progress 100 counts the claim as completed)."
    )
    async def report_claim_progress(
        self,
        info: Info,
        claim: ClaimId,
        hours: Annotated[
            int, strawberry.argument(description="Hours worked since the last report.")
        ],
        progress: Annotated[int, strawberry.argument(description="Percent done now, 0-100.")],
        note: Annotated[
            str | None, strawberry.argument(description="What was done, for the history.")
        ] = None,
    ) -> ClaimPayload:
        return await _on_claim(
            info,
            claim,
            lambda s, viewer, pk: logic.report_progress(
                s, viewer, pk, hours=hours, progress=progress, note=note
            ),
        )

    @strawberry.mutation(
        description="Confirm a pending claim (staff of the task's subtree): the partner's "
        "people join the deed's team, or, for a whole need, lead a new APPROVED deed."
    )
    async def confirm_claim(
        self,
        info: Info,
        claim: ClaimId,
        note: Annotated[
            str | None, strawberry.argument(description="A note for the history.")
        ] = None,
    ) -> ClaimPayload:
        return await _on_claim(
            info,
            claim,
            lambda s, viewer, pk: logic.decide_claim(s, viewer, pk, confirm=True, reason=note),
        )

    @strawberry.mutation(
        description="Decline a pending claim (staff of the task's subtree): its slot is free."
    )
    async def decline_claim(
        self,
        info: Info,
        claim: ClaimId,
        reason: Annotated[str | None, why("for the partner")] = None,
    ) -> ClaimPayload:
        return await _on_claim(
            info,
            claim,
            lambda s, viewer, pk: logic.decide_claim(s, viewer, pk, confirm=False, reason=reason),
        )
