"""A deed's implementation plan: text plus milestones with due dates. Before publication the
whole plan may be rewritten; once published, residents supervise it, so each milestone change
(a due date moved, a step done) is recorded in the deed's public history, with a reason when a
date moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sandan.db.enums import DeedStatus, HistoryKind
from sandan.db.repositories import deeds_lifecycle as lifecycle
from sandan.db.repositories import deeds_plan as repo
from sandan.db.repositories.deeds_lifecycle import Actor, DeedFacts
from sandan.resolvers.deeds.transitions import authorise, read_deed
from sandan.resolvers.errors import ErrorCode, Problem
from sandan.resolvers.mutations.engine import Outcome
from sandan.resolvers.permissions import Action
from sandan.schema.context import Context
from sandan.schema.types.deeds import Deed

EDITABLE = frozenset({DeedStatus.PROPOSED, DeedStatus.APPROVED})
SUPERVISED = frozenset({DeedStatus.PUBLISHED, DeedStatus.IN_PROGRESS})
PLAN_LIMIT = 4000
TITLE_LIMIT = 200
MAX_STEPS = 20


@dataclass(frozen=True)
class Step:
    title: str
    due_on: date | None


async def _planner(
    ctx: Context, deed_id: str
) -> tuple[DeedFacts | None, Actor | None, list[Problem]]:
    """Plans are kept by whoever reports the deed's progress."""
    return await authorise(ctx, Action.REPORT_PROGRESS, deed_id)


def _wrong_state(deed: DeedFacts, allowed: frozenset[DeedStatus], what: str) -> Problem:
    states = ", ".join(sorted(allowed))
    return Problem(
        ErrorCode.ILLEGAL_TRANSITION, "id", f"the deed is {deed.status}; {what} needs {states}"
    )


async def set_plan(
    ctx: Context, deed_id: str, plan: str | None, steps: list[Step]
) -> Outcome[Deed]:
    deed, actor, problems = await _planner(ctx, deed_id)
    if deed is None or actor is None:
        return Outcome(None, problems)
    if plan is not None and len(plan) > PLAN_LIMIT:
        problems.append(Problem(ErrorCode.TOO_LONG, "plan", f"at most {PLAN_LIMIT} characters"))
    if len(steps) > MAX_STEPS:
        problems.append(Problem(ErrorCode.OUT_OF_RANGE, "milestones", f"at most {MAX_STEPS}"))
    if any(not s.title.strip() or len(s.title) > TITLE_LIMIT for s in steps):
        problems.append(
            Problem(ErrorCode.INVALID, "milestones", f"titles: 1 to {TITLE_LIMIT} characters")
        )
    if deed.status not in EDITABLE:
        problems.append(_wrong_state(deed, EDITABLE, "rewriting the plan"))
    if problems:
        return Outcome(None, problems)
    async with ctx.sessionmaker() as session, session.begin():
        if await lifecycle.current_status(session, deed.pk) not in EDITABLE:
            return Outcome(None, [_wrong_state(deed, EDITABLE, "rewriting the plan")])
        text = (plan or "").strip() or None
        await repo.replace_plan(
            session, deed.pk, text, [(s.title.strip(), s.due_on) for s in steps]
        )
    return Outcome(await read_deed(ctx, deed.pk), [])


async def update_milestone(
    ctx: Context,
    deed_id: str,
    seq: int,
    due_on: date | None,
    done_on: date | None,
    reason: str | None,
) -> Outcome[Deed]:
    deed, actor, problems = await _planner(ctx, deed_id)
    if deed is None or actor is None:
        return Outcome(None, problems)
    allowed = EDITABLE | SUPERVISED
    if deed.status not in allowed:
        return Outcome(None, [_wrong_state(deed, allowed, "changing a milestone")])
    why = (reason or "").strip() or None
    if why is not None and len(why) > 500:
        return Outcome(None, [Problem(ErrorCode.TOO_LONG, "reason", "at most 500 characters")])
    async with ctx.sessionmaker() as session, session.begin():
        step = await repo.milestone(session, deed.pk, seq)
        if step is None:
            return Outcome(None, [Problem(ErrorCode.NOT_FOUND, "seq", "no milestone has this seq")])
        values: dict[str, date | None] = {}
        notes: list[str] = []
        if due_on is not None and due_on != step.due_on:
            values["due_on"] = due_on
            notes.append(f"第{seq}步「{step.title}」计划日期 {step.due_on or '未定'} → {due_on}")
        if done_on is not None and done_on != step.done_on:
            values["done_on"] = done_on
            notes.append(f"第{seq}步「{step.title}」于 {done_on} 完成")
        published = deed.status in SUPERVISED
        if published and "due_on" in values and why is None:
            return Outcome(
                None,
                [Problem(ErrorCode.REQUIRED, "reason", "moving a published date needs a reason")],
            )
        if not values:
            return Outcome(await read_deed(ctx, deed.pk), [])
        await repo.change_milestone(session, step.id, values)
        if published:
            note = "；".join(notes) + (f"（{why}）" if why else "")
            await lifecycle.record_history(
                session, deed.pk, HistoryKind.MILESTONE, actor, note=note, at=datetime.now(UTC)
            )
    return Outcome(await read_deed(ctx, deed.pk), [])
