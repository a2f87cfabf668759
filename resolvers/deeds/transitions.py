"""One transition function for every step of a deed's lifecycle.

A step is checked against the caller's role, the deed's current state and (for approval and
publication) the village-level rule, then written as a conditional UPDATE (`WHERE status =
:from`) together with its history entry and notifications, in one transaction. Of two
concurrent steps from the same state one wins; the other gets CONFLICT naming the new state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.enums import OPEN_DEED_STATES, DeedStatus, HistoryKind, NeedStatus
from sandan.db.repositories import deeds_lifecycle as repo
from sandan.db.repositories.deeds_lifecycle import Actor, DeedFacts
from sandan.db.repositories.lists import deeds_by_ids
from sandan.resolvers.deeds.access import VILLAGE_LEVEL, actor_of, role_for
from sandan.resolvers.errors import ErrorCode, Problem
from sandan.resolvers.mutations.engine import Outcome
from sandan.resolvers.permissions import Action, actions_of
from sandan.schema.context import Context
from sandan.schema.ids import BadGlobalId, from_global_id
from sandan.schema.types.deeds import Deed


@dataclass(frozen=True)
class Move:
    """A step: which states it leaves, where it goes, what it stamps and who hears of it."""

    action: Action
    to: DeedStatus
    sources: frozenset[DeedStatus]
    stamp: str | None = None  # a column set to the time of the move
    sets: dict[str, Any] = field(default_factory=dict)
    event: str | None = None  # the notification event; None: nobody is notified
    village_rule: bool = False  # major or well-funded deeds need village-level roles
    need_status: NeedStatus | None = None  # what the deed's need becomes


APPROVE = Move(
    Action.APPROVE_DEEDS,
    DeedStatus.APPROVED,
    frozenset({DeedStatus.PROPOSED}),
    stamp="approved_at",
    event="APPROVED",
    village_rule=True,
)
PUBLISH = Move(
    Action.PUBLISH_DEEDS,
    DeedStatus.PUBLISHED,
    frozenset({DeedStatus.APPROVED}),
    stamp="published_at",
    sets={"published": True},
    event="PUBLISHED",
    village_rule=True,
)
START = Move(Action.REPORT_PROGRESS, DeedStatus.IN_PROGRESS, frozenset({DeedStatus.PUBLISHED}))
COMPLETE = Move(
    Action.REPORT_PROGRESS,
    DeedStatus.COMPLETED,
    frozenset({DeedStatus.IN_PROGRESS}),
    stamp="done_at",
    event="COMPLETED",
    need_status=NeedStatus.DONE,
)
EVALUATE = Move(Action.RATE_DEEDS, DeedStatus.EVALUATED, frozenset({DeedStatus.COMPLETED}))
CANCEL = Move(
    Action.CANCEL_DEEDS,
    DeedStatus.CANCELLED,
    OPEN_DEED_STATES,
    event="CANCELLED",
    need_status=NeedStatus.OPEN,
)

NOTE_LIMIT = 1000

EVENT_MESSAGES = {
    "APPROVED": "“{title}” was approved.",
    "PUBLISHED": "“{title}” was published for residents' supervision.",
    "COMPLETED": "“{title}” was completed; the household may now rate it.",
    "CANCELLED": "“{title}” was cancelled.",
    "PROGRESS": "“{title}” reported its progress for {month}: {percent}%.",
}


def decode_deed(global_id: str, field_name: str = "id") -> tuple[int | None, list[Problem]]:
    try:
        _, pk = from_global_id(global_id, expect="Deed")
    except BadGlobalId as exc:
        return None, [Problem(ErrorCode.INVALID_ID, field_name, str(exc))]
    return pk, []


def illegal(deed: DeedFacts, move: Move) -> Problem:
    needs = ", ".join(sorted(move.sources))
    return Problem(
        ErrorCode.ILLEGAL_TRANSITION,
        "id",
        f"the deed is {deed.status}; moving it to {move.to} needs it to be {needs}",
    )


def conflict(current: DeedStatus | None) -> Problem:
    return Problem(
        ErrorCode.CONFLICT,
        "id",
        f"the deed was changed meanwhile: it is now {current}; reload it and try again",
    )


def needs_village(ctx: Context, deed: DeedFacts) -> bool:
    return deed.major or deed.funds > ctx.settings.village_approval_funds


async def authorise(
    ctx: Context, action: Action, deed_id: str, *, village_rule: bool = False
) -> tuple[DeedFacts | None, Actor | None, list[Problem]]:
    """The deed and the caller's part in it, or the problems that stop them here."""
    pk, problems = decode_deed(deed_id)
    if pk is None:
        return None, None, problems
    async with ctx.read_engine.connect() as conn:
        deed = await repo.deed_facts(conn, pk)
    if deed is None:
        return None, None, [Problem(ErrorCode.NOT_FOUND, "id", "no deed has this id")]
    viewer = ctx.viewer
    role = role_for(viewer, action, deed)
    if role is None:
        # A role that may never do this is refused as a whole (field null); a role that may,
        # outside the part of the grid it manages, is refused on the deed it named.
        anywhere = action in actions_of(viewer.role)
        return deed, None, [_forbidden(action, "id" if anywhere else None)]
    if village_rule and needs_village(ctx, deed) and role not in VILLAGE_LEVEL:
        why = "a major matter" if deed.major else "above the funding threshold"
        return deed, None, [_village_only(why)]
    return deed, actor_of(viewer, role), []


def _village_only(why: str) -> Problem:
    return Problem(
        ErrorCode.VILLAGE_APPROVAL_REQUIRED,
        None,
        f"the deed is {why}: village staff or a town admin must approve and publish it",
    )


_WHO = {
    Action.APPROVE_DEEDS: "staff of the deed's village or branch (village for major deeds)",
    Action.PUBLISH_DEEDS: "staff of the deed's village or branch (village for major deeds)",
    Action.REPORT_PROGRESS: "the branch secretary of the deed's branch or the deed's lead",
    Action.CANCEL_DEEDS: "staff whose part of the grid holds the deed",
}


def _forbidden(action: Action, field: str | None) -> Problem:
    who = _WHO.get(action, "staff whose part of the grid holds the deed")
    return Problem(ErrorCode.FORBIDDEN, field, f"only {who} may do this")


AfterStep = Callable[[AsyncSession, int], Awaitable[None]]


async def transition(
    ctx: Context,
    deed_id: str,
    move: Move,
    *,
    note: str | None = None,
    then: AfterStep | None = None,
) -> Outcome[Deed]:
    """Checks and makes one step for the caller; the deed as saved, or why not."""
    deed, actor, problems = await authorise(
        ctx, move.action, deed_id, village_rule=move.village_rule
    )
    if deed is None or actor is None:
        return Outcome(None, problems)
    if deed.status == move.to:  # another request made this very step first
        return Outcome(None, [conflict(deed.status)])
    if deed.status not in move.sources:
        return Outcome(None, [illegal(deed, move)])
    async with ctx.sessionmaker() as session, session.begin():
        problem = await move_in(session, deed, move, actor, note=note)
        if problem is not None:
            await session.rollback()
            return Outcome(None, [problem])
        if then is not None:  # more writes of the same unit of work (a feedback code)
            await then(session, deed.pk)
    return Outcome(await read_deed(ctx, deed.pk), [])


async def move_in(
    session: AsyncSession,
    deed: DeedFacts,
    move: Move,
    actor: Actor,
    *,
    note: str | None = None,
    title: str | None = None,
) -> Problem | None:
    """The step inside the caller's transaction: the conditional write first (so SQLite takes
    its write lock before anything is read), then history, the need, notifications. Returns
    CONFLICT when another request moved the deed first."""
    now = datetime.now(UTC)
    values: dict[str, Any] = {"status": move.to, **move.sets}
    if move.stamp is not None:
        values[move.stamp] = now
    if not await repo.move_deed(session, deed.pk, deed.status, values):
        return conflict(await repo.current_status(session, deed.pk))
    await repo.record_history(
        session,
        deed.pk,
        HistoryKind.STATUS,
        actor,
        from_status=deed.status,
        to_status=move.to,
        note=note,
        at=now,
    )
    if move.need_status is not None:
        await repo.set_need_status(session, deed.need_pk, move.need_status)
    if move.event is not None:
        name = title or await repo.deed_title(session, deed.pk)
        await repo.notify(
            session, deed.pk, move.event, EVENT_MESSAGES[move.event].format(title=name)
        )
    return None


async def read_deed(ctx: Context, pk: int) -> Deed | None:
    async with ctx.read_engine.connect() as conn:
        rows = await deeds_by_ids(conn, [pk], ctx.viewer.read, ctx.viewer.personal)
    return Deed.from_row(rows[pk], ctx.viewer) if pk in rows else None


def too_long(field_name: str, limit: int) -> Problem:
    return Problem(ErrorCode.TOO_LONG, field_name, f"must be at most {limit} characters")


def required(field_name: str) -> Problem:
    return Problem(ErrorCode.REQUIRED, field_name, "must not be blank")
