"""releaseClaim: a partner gives up its claim, or staff take back a confirmed one.

- A pending claim (claimed, not expired) is released by its organisation: its slot is free at
  once (the same conditional UPDATE as a confirmation or an expiry, so one of them wins).
- A confirmed claim is released by its organisation or by staff whose scope holds the task,
  with a reason: its people leave the deed's team (those another confirmed claim on the deed
  still names stay), or, for a whole need, the deed the confirmation created is CANCELLED with
  the reason through the deed lifecycle's own step (history, notifications) and the need is
  OPEN again. The slot opens again, the history records who released it and why, and the
  people's (or the cancelled deed's) capacity is free for later optimisation runs. A claim
  whose deed is completed cannot be released: the work is done.

Race safety: the claim's row is locked first (PostgreSQL `FOR UPDATE`; on SQLite the unit of
work is the only writer), so a confirmation, a progress report or another release of the same
claim runs entirely before or after this one and sees its outcome; the state change itself is
a conditional UPDATE as well.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.enums import OPEN_DEED_STATES, ClaimEvent, ClaimStatus, DeedStatus, TaskKind
from sandan.db.repositories import claim_deeds as deeds
from sandan.db.repositories import claim_reads as reads
from sandan.db.repositories import claims as repo
from sandan.db.repositories import deeds_lifecycle
from sandan.resolvers.claims import MAX_NOTE, OUTSIDE, ClaimErrorCode, Refusal, now
from sandan.resolvers.deeds import transitions
from sandan.resolvers.deeds.access import actor_of
from sandan.resolvers.permissions import Action, may
from sandan.schema.context import Viewer

FINISHED_DEED = (DeedStatus.COMPLETED, DeedStatus.EVALUATED)


async def release_claim(
    session: AsyncSession, viewer: Viewer, claim_pk: int, reason: str | None
) -> list[Refusal]:
    org = viewer.organisation_pk
    partner = org is not None
    if not may(viewer, Action.RELEASE_CLAIMS) or not (partner or may(viewer, Action.DECIDE_CLAIMS)):
        return [
            Refusal(
                ClaimErrorCode.FORBIDDEN,
                None,
                "only the claiming organisation, or staff of the task's subtree, release a claim",
            )
        ]
    text = (reason or "").strip() or None
    if text is not None and len(text) > MAX_NOTE:
        return [Refusal(ClaimErrorCode.INVALID, "reason", f"at most {MAX_NOTE} characters")]
    at = now()
    mine = "no claim of yours has this id" if partner else "no claim has this id"
    if not await deeds.lock_claim(session, claim_pk):
        return [Refusal(ClaimErrorCode.NOT_FOUND, "claim", mine)]
    claim = await reads.claim_by_id(session, claim_pk, at)
    if claim is None or (partner and claim.organisation_id != org):
        return [Refusal(ClaimErrorCode.NOT_FOUND, "claim", mine)]
    if not partner and not may(viewer, Action.DECIDE_CLAIMS, claim.cell_path):
        return [Refusal(ClaimErrorCode.FORBIDDEN, "claim", OUTSIDE)]
    if claim.status == ClaimStatus.CONFIRMED:
        return await _release_confirmed(session, viewer, claim, text, at)
    if not partner:
        return [
            Refusal(
                ClaimErrorCode.NOT_CONFIRMED,
                "claim",
                "staff release confirmed claims only; decline a pending one (declineClaim)",
            )
        ]
    if not await repo.move_claim(
        session, claim_pk, at, to=ClaimStatus.RELEASED, organisation_id=org
    ):
        return [Refusal(ClaimErrorCode.NOT_PENDING, "claim", "the claim is no longer held")]
    await repo.add_event(session, claim_pk, ClaimEvent.RELEASED, at, viewer.account_pk, text)
    return []


async def _release_confirmed(
    session: AsyncSession, viewer: Viewer, claim: Any, reason: str | None, at: datetime
) -> list[Refusal]:
    if reason is None:
        return [Refusal(ClaimErrorCode.INVALID, "reason", "say why a confirmed claim is released")]
    facts = None
    if claim.deed_id is not None:
        facts = await deeds_lifecycle.deed_facts(session, claim.deed_id)
    if facts is not None and facts.status in FINISHED_DEED:
        return [
            Refusal(
                ClaimErrorCode.WORK_FINISHED,
                "claim",
                f"the claim's deed is {facts.status}: the work is done",
            )
        ]
    if not await deeds.release_confirmed(session, claim.id):
        return [Refusal(ClaimErrorCode.NOT_CONFIRMED, "claim", "the claim is not confirmed")]
    await repo.add_event(session, claim.id, ClaimEvent.RELEASED, at, viewer.account_pk, reason)
    if facts is None or facts.status not in OPEN_DEED_STATES:
        return []  # the deed was cancelled meanwhile: nothing left to undo
    task = await repo.task_by_id(session, claim.task_id, at)
    assert task is not None  # a claim's task is never deleted
    if task.kind is TaskKind.SLOT:
        await deeds.leave_team(session, facts.pk, claim.id, [int(p) for p in claim.people])
        return []
    role = viewer.role.value if viewer.role is not None else "STAFF"
    moved = await transitions.move_in(
        session,
        facts,
        transitions.CANCEL,
        actor_of(viewer, role),
        note=f"partner claim released: {reason}",
    )
    if moved is not None:
        return [Refusal(ClaimErrorCode.CONFLICT, "claim", moved.message)]
    return []
