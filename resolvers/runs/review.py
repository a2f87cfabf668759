"""Staff review of proposals (approve, reject) and the pins and forbids of later runs.

A review is all or nothing: one deed that cannot be approved refuses the whole list. Rejecting
a proposal forbids its lead/need pair in later runs of the run's period (a FORBID record that
staff can lift).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.enums import DeedRole, DeedStatus
from sandan.db.models import Need, Person
from sandan.db.models.runs import ConstraintKind
from sandan.db.repositories import deeds_lifecycle, run_results, runs
from sandan.db.repositories.writes import located_row
from sandan.resolvers.deeds import transitions
from sandan.resolvers.deeds.access import actor_of
from sandan.resolvers.permissions import Action, may
from sandan.resolvers.runs.service import STAFF_ONLY, RunErrorCode, RunProblem, parse_id, who
from sandan.resolvers.text import visible
from sandan.schema.context import Context

MAX_REASON = 500
MAX_IDS = 500


def _reason_problems(reason: str | None, required: bool) -> list[RunProblem]:
    text = (reason or "").strip()
    if required and not visible(text):
        return [RunProblem(RunErrorCode.REQUIRED, "reason", "say why")]
    if len(text) > MAX_REASON:
        return [RunProblem(RunErrorCode.TOO_LONG, "reason", f"at most {MAX_REASON} characters")]
    return []


def _parse_ids(ids: list[str]) -> tuple[list[int], list[RunProblem]]:
    if not ids:
        return [], [RunProblem(RunErrorCode.REQUIRED, "ids", "give at least one deed id")]
    if len(ids) > MAX_IDS:
        return [], [RunProblem(RunErrorCode.OUT_OF_RANGE, "ids", f"at most {MAX_IDS} at once")]
    pks: list[int] = []
    problems: list[RunProblem] = []
    for i, gid in enumerate(ids):
        pk, bad = parse_id(gid, "Deed", f"ids.{i}")
        problems += bad
        # The same deed twice is reviewed once (a second step would write a second history
        # entry and notify its people again).
        if pk is not None and pk not in pks:
            pks.append(pk)
    return pks, problems


async def review(
    ctx: Context, ids: list[str], approve: bool, reason: str | None = None
) -> tuple[list[int], list[RunProblem]]:
    """Approve (or reject, with a reason) PROPOSED deeds; the deeds' pks on success."""
    if not may(ctx.viewer, Action.REVIEW_PROPOSALS):
        return [], [STAFF_ONLY]
    pks, problems = _parse_ids(ids)
    if not approve:
        problems += _reason_problems(reason, required=True)
    if problems:
        return [], problems
    reviewer = await who(ctx)
    async with ctx.sessionmaker() as session:
        found = await run_results.proposals_for_review(session, pks)
        for i, pk in enumerate(pks):
            row = found.get(pk)
            field = f"ids.{i}"
            if row is None or not ctx.viewer.write.covers(row.cell_path):
                problems.append(RunProblem(RunErrorCode.NOT_FOUND, field, "no deed you manage"))
            elif row.status != DeedStatus.PROPOSED:
                problems.append(
                    RunProblem(RunErrorCode.NOT_PROPOSED, field, f"the deed is {row.status}")
                )
        if problems:
            await session.rollback()
            return [], problems
        now = runs.utcnow()
        text = (reason or "").strip()
        # The same step as the deed lifecycle's (conditional write, history, notifications),
        # so a deed approved here reads like one approved with approveDeed.
        step = transitions.APPROVE if approve else transitions.CANCEL
        actor = actor_of(ctx.viewer, ctx.viewer.role.value if ctx.viewer.role else "STAFF")
        for i, pk in enumerate(pks):
            facts = await deeds_lifecycle.deed_facts(session, pk)
            assert facts is not None  # found above, in this transaction
            moved = await transitions.move_in(
                session, facts, step, actor, note=None if approve else text
            )
            if moved is not None:
                await session.rollback()
                return [], [RunProblem(RunErrorCode.NOT_PROPOSED, f"ids.{i}", moved.message)]
        await run_results.mark_reviewed(
            session, pks, reviewer, now, **({} if approve else {"rejected_reason": text})
        )
        if not approve:
            for pk in pks:
                row = found[pk]
                if row.lead_id is None:
                    continue
                await run_results.insert_constraint(
                    session,
                    {
                        "kind": ConstraintKind.FORBID,
                        "cell_id": row.cell_id,
                        "need_id": row.need_id,
                        "person_id": row.lead_id,
                        "period_from": row.period_from,
                        "period_to": row.period_to,
                        "reason": f"rejected proposal: {text}",
                        "created_by": reviewer,
                        "created_at": now,
                    },
                )
        await session.commit()
    return pks, []


@dataclass(frozen=True)
class ConstraintInput:
    kind: ConstraintKind
    need: str
    person: str
    role: DeedRole | None
    period_from: date | None
    period_to: date | None
    reason: str | None


async def add_constraint(
    ctx: Context, data: ConstraintInput
) -> tuple[int | None, list[RunProblem]]:
    """Record a pin or forbid of a person on a need in the caller's scope."""
    if not may(ctx.viewer, Action.REVIEW_PROPOSALS):
        return None, [STAFF_ONLY]
    more = terms_problems(data.reason, data.period_from, data.period_to)
    pks, problems = need_and_target_ids(data.need, (data.person, "Person", "person"), more)
    if pks is None:
        return None, problems
    creator = await who(ctx)
    async with ctx.sessionmaker() as session:
        need, person, problems = await located_need_and_target(session, ctx, pks, Person)
        if person is None:
            problems.append(RunProblem(RunErrorCode.NOT_FOUND, "person", "no such person"))
        if problems or need is None:
            return None, problems
        role = data.role if data.kind == ConstraintKind.PIN else None
        terms = (data.period_from, data.period_to, data.reason)
        pk = await record_constraint(
            session, data.kind, need, creator, terms, person_id=pks[1], role=role
        )
        await session.commit()
    return pk, []


def terms_problems(
    reason: str | None, period_from: date | None, period_to: date | None
) -> list[RunProblem]:
    """The problems of a pin's or forbid's reason and period."""
    problems = _reason_problems(reason, required=False)
    if period_from and period_to and period_from > period_to:
        problems.append(RunProblem(RunErrorCode.PERIOD_REVERSED, "periodTo", "before periodFrom"))
    return problems


def need_and_target_ids(
    need: str, target: tuple[str, str, str], more: list[RunProblem]
) -> tuple[tuple[int, int] | None, list[RunProblem]]:
    """The primary keys of a constraint's need and of its target (a person or a resource, given
    as (global id, type name, input field)), or None with every problem of the two ids and
    `more` (the input's other problems)."""
    need_pk, problems = parse_id(need, "Need", "need")
    target_pk, bad = parse_id(*target)
    problems += bad + more
    if problems or need_pk is None or target_pk is None:
        return None, problems
    return (need_pk, target_pk), []


async def located_need_and_target(
    session: AsyncSession, ctx: Context, pks: tuple[int, int], target_model: Any
) -> tuple[Any, Any, list[RunProblem]]:
    """The constraint's need and target rows (locked where the database locks them) and the
    problem of a need outside the caller's write scope."""
    need = await located_row(session, Need, pks[0])
    target = await located_row(session, target_model, pks[1])
    return need, target, managed_need(ctx, need)


def managed_need(ctx: Context, need: Any) -> list[RunProblem]:
    """NOT_FOUND unless the need exists in the caller's write scope."""
    if need is not None and ctx.viewer.write.covers(need.cell_path):
        return []
    return [RunProblem(RunErrorCode.NOT_FOUND, "need", "no need you manage")]


async def record_constraint(
    session: AsyncSession,
    kind: ConstraintKind,
    need: Any,
    creator: str,
    terms: tuple[date | None, date | None, str | None],
    **target: Any,
) -> int:
    """Insert a pin or forbid on `need` (a located row) with who and when; `target` names the
    person (person_id, role) or the resource (resource_id, quantity)."""
    period_from, period_to, reason = terms
    values: dict[str, Any] = {
        "kind": kind,
        "cell_id": need.cell_id,
        "need_id": need.id,
        "period_from": period_from,
        "period_to": period_to,
        "reason": (reason or "").strip() or None,
        "created_by": creator,
        "created_at": runs.utcnow(),
        **target,
    }
    return await run_results.insert_constraint(session, values)


async def lift(ctx: Context, global_id: str) -> tuple[int | None, list[RunProblem]]:
    if not may(ctx.viewer, Action.REVIEW_PROPOSALS):
        return None, [STAFF_ONLY]
    pk, problems = parse_id(global_id, "RunConstraint", "id")
    if pk is None:
        return None, problems
    lifter = await who(ctx)
    async with ctx.sessionmaker() as session:
        row = await run_results.constraint_by_id(session, pk)
        if row is None or not ctx.viewer.write.covers(row.cell_path):
            return None, [RunProblem(RunErrorCode.NOT_FOUND, "id", "no pin or forbid you manage")]
        if not await run_results.lift_constraint(session, pk, lifter, runs.utcnow()):
            return None, [RunProblem(RunErrorCode.ALREADY_LIFTED, "id", "it was lifted before")]
        await session.commit()
    return pk, []
