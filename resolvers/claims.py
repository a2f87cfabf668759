"""Partner work: what staff open to partners, and the claims partners make, release and report
on. Each operation is one unit of work; a refusal is a `Refusal` and writes nothing.

Correctness under concurrency comes from sandan.db.repositories.claims (row locks, one
conditional UPDATE per state change, a unique index of held slots), not from checks here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.enums import ClaimEvent, ClaimStatus, Described, NeedStatus, TaskKind
from sandan.db.repositories import claim_deeds as deeds
from sandan.db.repositories import claim_reads as reads
from sandan.db.repositories import claims as repo
from sandan.db.scope import Scope
from sandan.resolvers.errors import QueryError, QueryErrorCode
from sandan.resolvers.permissions import Action, may
from sandan.schema.context import Context, Viewer

MAX_NOTE = 1000
MAX_PEOPLE = 50
MAX_SLOTS = 100
MAX_HOURS = 10_000
OUTSIDE = "lies outside the part of the grid you manage"


class ClaimErrorCode(Described):
    """Why a partner-work mutation was refused; nothing was written."""

    FORBIDDEN = ("FORBIDDEN", "Your role may not do this, or the task lies outside your scope.")
    INVALID_ID = ("INVALID_ID", "`field` is not an id of the expected type.")
    NOT_FOUND = ("NOT_FOUND", "No such task, claim, need or deed (or not one you may see).")
    INVALID = ("INVALID", "A value breaks a rule; `message` says which. Correct `field`.")
    ALREADY_CLAIMED = (
        "ALREADY_CLAIMED",
        "Every slot of the task is held by another claim: pick another task.",
    )
    CLAIM_CAP_REACHED = (
        "CLAIM_CAP_REACHED",
        "Your organisation holds as many unconfirmed claims as allowed: wait for "
        "staff to decide, or release one.",
    )
    TASK_CLOSED = (
        "TASK_CLOSED",
        "The task no longer takes claims (its window or closing time passed, or "
        "its need or deed moved on).",
    )
    NOT_PENDING = (
        "NOT_PENDING",
        "The claim is no longer waiting for a decision: it expired, or was "
        "confirmed, declined or released already (read its `status`).",
    )
    NOT_CONFIRMED = (
        "NOT_CONFIRMED",
        "Progress is reported on confirmed claims only, and staff release "
        "confirmed claims only (a pending one is declined).",
    )
    CONFLICT = (
        "CONFLICT",
        "The need got a deed in the meantime (decline the claim), or the deed "
        "moved on while a confirmed claim was being released (read it and try again).",
    )
    WORK_FINISHED = (
        "WORK_FINISHED",
        "The claim's deed is completed: a confirmed claim can no longer be "
        "released once its work is done.",
    )


@dataclass(frozen=True)
class Refusal:
    code: ClaimErrorCode
    field: str | None
    message: str


def now() -> datetime:
    return datetime.now(UTC)


def _forbidden(what: str) -> list[Refusal]:
    return [Refusal(ClaimErrorCode.FORBIDDEN, None, what)]


# ---- staff: open tasks ---------------------------------------------------------------------


async def open_to_partners(
    session: AsyncSession,
    viewer: Viewer,
    *,
    need_pk: int | None,
    deed_pk: int | None,
    slots: int,
    until: datetime | None,
) -> tuple[int | None, list[Refusal]]:
    """Open a whole need (one slot) or a deed's team slots to partners; opening again updates
    the slots and closing time."""
    if not may(viewer, Action.OPEN_TASKS):
        return None, _forbidden("only village staff and town admins open tasks to partners")
    if (need_pk is None) == (deed_pk is None):
        return None, [Refusal(ClaimErrorCode.INVALID, "need", "give a need or a deed, not both")]
    if not 1 <= slots <= MAX_SLOTS:
        return None, [Refusal(ClaimErrorCode.INVALID, "slots", f"must be 1 to {MAX_SLOTS}")]
    if until is not None and until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    if until is not None and until <= now():
        return None, [Refusal(ClaimErrorCode.INVALID, "until", "must lie in the future")]
    field = "need" if need_pk is not None else "deed"
    if need_pk is not None:
        row = await deeds.openable_need(session, need_pk)
        if row is not None and row.status is not NeedStatus.OPEN:
            return None, [Refusal(ClaimErrorCode.INVALID, field, "the need is not OPEN")]
        if slots != 1:
            return None, [Refusal(ClaimErrorCode.INVALID, "slots", "a whole need has 1 slot")]
    else:
        row = await deeds.openable_deed(session, deed_pk or 0)
        if row is not None and row.status not in repo.JOINABLE_DEED:
            return None, [
                Refusal(ClaimErrorCode.INVALID, field, "the deed is not APPROVED or IN_PROGRESS")
            ]
    if row is None:
        return None, [Refusal(ClaimErrorCode.NOT_FOUND, field, f"no {field} has this id")]
    if not may(viewer, Action.OPEN_TASKS, row.cell_path):
        return None, [Refusal(ClaimErrorCode.FORBIDDEN, field, OUTSIDE)]
    existing = await repo.task_for(session, need_id=need_pk, deed_id=deed_pk)
    if existing is not None:
        await repo.update_task(session, existing, slots=slots, until=until)
        return existing, []
    pk = await repo.insert_task(
        session,
        kind=TaskKind.NEED if need_pk is not None else TaskKind.SLOT,
        need_id=need_pk,
        deed_id=deed_pk,
        cell_id=row.cell_id,
        slots=slots,
        until=until,
        opened_by_account_id=viewer.account_pk,
    )
    return pk, []


# ---- partners: claim, release, report ------------------------------------------------------


@dataclass(frozen=True)
class ClaimLimits:
    hold: timedelta
    cap: int


async def claim_task(
    session: AsyncSession,
    viewer: Viewer,
    limits: ClaimLimits,
    *,
    task_pk: int,
    people: list[int],
    note: str | None,
) -> tuple[int | None, list[Refusal]]:
    """Claim a free slot of a task for the caller's organisation. Runs as one write
    transaction: organisation and task locked, stale claims expired, cap and free slots counted
    and the claim inserted, with no other claim of either in between."""
    org = viewer.organisation_pk
    if not may(viewer, Action.CLAIM_TASKS) or org is None:
        return None, _forbidden("only a partner organisation's account claims tasks")
    problems = _claim_input(people, note)
    if problems:
        return None, problems
    at = now()
    if not await repo.lock_claimant(session, org, task_pk):
        return None, [Refusal(ClaimErrorCode.NOT_FOUND, "task", "no task has this id")]
    task = await repo.task_by_id(session, task_pk, at)
    served = Scope.subtrees(await repo.served_paths(session, org))
    if task is None or not served.covers(task.cell_path):
        return None, [Refusal(ClaimErrorCode.NOT_FOUND, "task", "no task has this id")]
    mine = await deeds.partner_people(session, org, people)
    if len(mine) != len(set(people)):
        return None, [
            Refusal(ClaimErrorCode.INVALID, "people", "each person must be your organisation's")
        ]
    await repo.expire_stale(session, task_pk, at)
    if await repo.pending_count(session, org, at) >= limits.cap:
        return None, [
            Refusal(
                ClaimErrorCode.CLAIM_CAP_REACHED,
                None,
                f"your organisation holds {limits.cap} unconfirmed claims, the most allowed",
            )
        ]
    if not await _task_open(session, task, at):
        return None, [Refusal(ClaimErrorCode.TASK_CLOSED, "task", "the task takes no claims")]
    held = await repo.held_slots(session, task_pk, at)
    free = [s for s in range(1, task.slots + 1) if s not in held]
    if not free:
        return None, [already_claimed()]
    pk = await repo.insert_claim(
        session,
        account_id=viewer.account_pk,
        task_id=task_pk,
        slot=free[0],
        organisation_id=org,
        people=[str(p) for p in dict.fromkeys(people)],
        note=note,
        expires_at=at + limits.hold,
        created_at=at,
    )
    return pk, []


def already_claimed() -> Refusal:
    return Refusal(ClaimErrorCode.ALREADY_CLAIMED, "task", "every slot of the task is held")


def is_held_slot_conflict(error: IntegrityError) -> bool:
    """The unique index of held slots refused a second holder (the backstop of claim_task):
    PostgreSQL names the index, SQLite the columns."""
    text = str(error.orig)
    return "uq_partner_claims_task_slot_held" in text or "partner_claims.task_id" in text


async def _task_open(session: AsyncSession, task: Any, at: datetime) -> bool:
    return await repo.task_is_open(session, task.id, at)


def _claim_input(people: list[int], note: str | None) -> list[Refusal]:
    problems = []
    if not people:
        problems.append(Refusal(ClaimErrorCode.INVALID, "people", "name at least one person"))
    elif len(people) > MAX_PEOPLE:
        problems.append(Refusal(ClaimErrorCode.INVALID, "people", f"at most {MAX_PEOPLE}"))
    if note is not None and len(note) > MAX_NOTE:
        problems.append(Refusal(ClaimErrorCode.INVALID, "note", f"at most {MAX_NOTE} characters"))
    return problems


def _not_pending() -> Refusal:
    return Refusal(ClaimErrorCode.NOT_PENDING, "claim", "the claim is no longer waiting")


async def report_progress(
    session: AsyncSession,
    viewer: Viewer,
    claim_pk: int,
    *,
    hours: int,
    progress: int,
    note: str | None,
) -> list[Refusal]:
    org = viewer.organisation_pk
    if not may(viewer, Action.CLAIM_TASKS) or org is None:
        return _forbidden("only the claiming organisation reports on its claim")
    problems = []
    if not 0 <= hours <= MAX_HOURS:
        problems.append(Refusal(ClaimErrorCode.INVALID, "hours", f"must be 0 to {MAX_HOURS}"))
    if not 0 <= progress <= 100:
        problems.append(Refusal(ClaimErrorCode.INVALID, "progress", "a percent, 0 to 100"))
    if note is not None and len(note) > MAX_NOTE:
        problems.append(Refusal(ClaimErrorCode.INVALID, "note", f"at most {MAX_NOTE} characters"))
    if problems:
        return problems
    at = now()
    claim = await reads.claim_by_id(session, claim_pk, at)
    if claim is None or claim.organisation_id != org:
        return [Refusal(ClaimErrorCode.NOT_FOUND, "claim", "no claim of yours has this id")]
    if not await repo.add_progress(session, claim_pk, org, hours, progress):
        return [Refusal(ClaimErrorCode.NOT_CONFIRMED, "claim", "the claim is not confirmed")]
    await repo.add_event(
        session,
        claim_pk,
        ClaimEvent.PROGRESS,
        at,
        viewer.account_pk,
        note,
        hours=hours,
        progress=progress,
    )
    return []


# ---- staff: decide -------------------------------------------------------------------------


async def decide_claim(
    session: AsyncSession, viewer: Viewer, claim_pk: int, *, confirm: bool, reason: str | None
) -> list[Refusal]:
    """Confirm (the partner's people join the deed's team, or lead a new APPROVED deed for a
    whole need) or decline a pending claim."""
    if not may(viewer, Action.DECIDE_CLAIMS):
        return _forbidden("only village staff and town admins decide on claims")
    if reason is not None and len(reason) > MAX_NOTE:
        return [Refusal(ClaimErrorCode.INVALID, "reason", f"at most {MAX_NOTE} characters")]
    at = now()
    claim = await reads.claim_by_id(session, claim_pk, at)
    if claim is None:
        return [Refusal(ClaimErrorCode.NOT_FOUND, "claim", "no claim has this id")]
    if not may(viewer, Action.DECIDE_CLAIMS, claim.cell_path):
        return [Refusal(ClaimErrorCode.FORBIDDEN, "claim", OUTSIDE)]
    to = ClaimStatus.CONFIRMED if confirm else ClaimStatus.DECLINED
    task = await repo.task_by_id(session, claim.task_id, at)
    assert task is not None  # a claim's task is never deleted
    deed_pk = task.deed_id
    if not await repo.move_claim(session, claim_pk, at, to=to, deed_id=deed_pk):
        return [_not_pending()]
    event = ClaimEvent.CONFIRMED if confirm else ClaimEvent.DECLINED
    await repo.add_event(session, claim_pk, event, at, viewer.account_pk, reason)
    if not confirm:
        return []
    people = await deeds.partner_people(
        session, claim.organisation_id, [int(p) for p in claim.people]
    )
    people.sort(key=[int(p) for p in claim.people].index)
    if not people:
        return [Refusal(ClaimErrorCode.INVALID, "claim", "none of its people is active now")]
    if task.kind is TaskKind.SLOT:
        await deeds.join_team(session, task.deed_id, people)
        return []
    deed_pk = await deeds.deed_for_need(session, task.task_need_id, people[0], people[1:], at)
    await repo.move_claim_deed(session, claim_pk, deed_pk)
    return []


# ---- reads ---------------------------------------------------------------------------------


async def partner_scope(ctx: Context, field: str) -> tuple[int, Scope]:
    """The caller's organisation and the cells it serves; a query error for anyone else."""
    org = ctx.viewer.organisation_pk
    if not may(ctx.viewer, Action.CLAIM_TASKS) or org is None:
        raise QueryError(
            QueryErrorCode.FORBIDDEN, field, "only a partner organisation's account may ask"
        )
    async with ctx.read_engine.connect() as conn:
        return org, Scope.subtrees(await repo.served_paths(conn, org))


def claims_visible(viewer: Viewer) -> tuple[int | None, Scope]:
    """Whose claims the caller reads: a partner its own, staff those in their write scope,
    others none."""
    if viewer.organisation_pk is not None:
        return viewer.organisation_pk, Scope.nothing()
    if may(viewer, Action.DECIDE_CLAIMS):
        return None, viewer.write
    return None, Scope.nothing()


def sees_organisation_claims(viewer: Viewer, organisation_pk: int, cell_path: str) -> bool:
    if viewer.organisation_pk is not None:
        return viewer.organisation_pk == organisation_pk
    return may(viewer, Action.DECIDE_CLAIMS, cell_path)
