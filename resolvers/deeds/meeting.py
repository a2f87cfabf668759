"""The monthly joint meeting: its agenda (overdue, stalled, major and poorly rated deeds, and
needs unmatched after a run, grouped by branch) and the decisions it records. The next
month's agenda shows each decision again with whether it was done."""

from __future__ import annotations

import base64
import binascii
import calendar
from datetime import date

import strawberry

from sandan.db.repositories import deeds_meeting as repo
from sandan.resolvers.deeds.clock import today
from sandan.resolvers.deeds.reports import parse_month
from sandan.resolvers.errors import ErrorCode, Problem, QueryError, QueryErrorCode
from sandan.resolvers.mutations.engine import Outcome
from sandan.resolvers.paging import named_cell
from sandan.resolvers.permissions import Action, may
from sandan.schema.context import Context
from sandan.schema.ids import BadGlobalId, from_global_id, to_global_id
from sandan.schema.types.grid import Cell
from sandan.schema.types.meeting import (
    AgendaBranch,
    AgendaItem,
    AgendaReason,
    JointMeetingAgenda,
    MeetingDecision,
)

DECISION_LIMIT = 1000


def item_id(cell_pk: int, month: date, deed_pk: int) -> str:
    raw = f"AgendaItem:{cell_pk}:{month:%Y-%m}:Deed:{deed_pk}"
    return base64.b64encode(raw.encode()).decode()


def parse_item_id(value: str) -> tuple[int, date, int] | None:
    try:
        kind, cell, month, what, pk = base64.b64decode(value, validate=True).decode().split(":")
        year, mon = month.split("-")
        if kind != "AgendaItem" or what != "Deed":
            return None
        return int(cell), date(int(year), int(mon), 1), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


async def _meeting_cell(ctx: Context, cell_id: str, field: str) -> Cell:
    cell = await named_cell(ctx, cell_id, field)
    if not may(ctx.viewer, Action.RUN_MEETINGS, cell.path):
        raise QueryError(
            QueryErrorCode.FORBIDDEN, field, "only staff whose part of the grid holds the cell"
        )
    return cell


def _previous(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else month.replace(month=month.month - 1)


async def agenda(ctx: Context, cell_id: str, month_text: str) -> JointMeetingAgenda:
    cell = await _meeting_cell(ctx, cell_id, "cell")
    month, problem = parse_month(month_text, date.max)
    if month is None:
        message = problem.message if problem else "must be a month as YYYY-MM"
        raise QueryError(QueryErrorCode.INVALID_ARGUMENT, "month", message)
    last_day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    as_of = min(today(), last_day)
    async with ctx.read_engine.connect() as conn:
        deeds = await repo.agenda_deeds(conn, cell.path, as_of)
        branches = await repo.branches_under(conn, cell.path)
        earlier = await repo.decisions_for(conn, cell.pk, deed_ids=[d.deed_pk for d in deeds])
        follow_ups = await repo.decisions_for(conn, cell.pk, months=[_previous(month)])
    by_deed: dict[int, list[MeetingDecision]] = {}
    for row in earlier:
        if row.month < month:
            by_deed.setdefault(row.deed_id, []).append(MeetingDecision.from_row(row))
    grouped: dict[int, list[AgendaItem]] = {}
    for d in deeds:
        home = next((b.id for b in branches if d.cell_path.startswith(b.path)), cell.pk)
        reasons = [
            reason
            for reason, on in (
                (AgendaReason.OVERDUE, d.overdue),
                (AgendaReason.STALLED, d.stalled),
                (AgendaReason.MAJOR, d.major),
                (AgendaReason.LOW_RATING, d.low_rating),
            )
            if on
        ]
        grouped.setdefault(home, []).append(
            AgendaItem(
                id=strawberry.ID(item_id(cell.pk, month, d.deed_pk)),
                reasons=reasons,
                unmatched_reason=None,
                decisions=by_deed.get(d.deed_pk, []),
                deed_pk=d.deed_pk,
                need_pk=None,
            )
        )
    async with ctx.read_engine.connect() as conn:
        for need_pk, why in await repo.unmatched_after_run(conn, cell.path):
            grouped.setdefault(cell.pk, []).append(
                AgendaItem(
                    id=to_global_id("Need", need_pk),
                    reasons=[AgendaReason.UNMATCHED],
                    unmatched_reason=why,
                    decisions=[],
                    deed_pk=None,
                    need_pk=need_pk,
                )
            )
    order = [cell.pk] + [b.id for b in branches]
    return JointMeetingAgenda(
        month=month,
        branches=[AgendaBranch(items=grouped[pk], cell_pk=pk) for pk in order if pk in grouped],
        follow_ups=[MeetingDecision.from_row(row) for row in follow_ups],
    )


async def record_decision(
    ctx: Context, agenda_item: str, decision: str, owner: str | None, due_on: date | None
) -> Outcome[MeetingDecision]:
    if not may(ctx.viewer, Action.RUN_MEETINGS):
        return Outcome(None, [_not_staff()])
    problems: list[Problem] = []
    parsed = parse_item_id(agenda_item)
    if parsed is None:
        problems.append(
            Problem(ErrorCode.INVALID_ID, "agendaItem", "not an agenda item's id from the API")
        )
    text = decision.strip()
    if not text:
        problems.append(Problem(ErrorCode.REQUIRED, "decision", "must not be blank"))
    elif len(text) > DECISION_LIMIT:
        problems.append(
            Problem(ErrorCode.TOO_LONG, "decision", f"at most {DECISION_LIMIT} characters")
        )
    owner_pk = None
    if owner is not None:
        try:
            _, owner_pk = from_global_id(owner, expect="Person")
        except BadGlobalId as e:
            problems.append(Problem(ErrorCode.INVALID_ID, "owner", str(e)))
    if problems or parsed is None:
        return Outcome(None, problems)
    cell_pk, month, deed_pk = parsed
    cell = await ctx.loaders.cell_by_id.load(cell_pk)
    if cell is None or not may(ctx.viewer, Action.RUN_MEETINGS, cell.path):
        return Outcome(
            None,
            [Problem(ErrorCode.FORBIDDEN, "agendaItem", "only staff of the meeting's cell")],
        )
    if owner_pk is not None and await ctx.loaders.person_by_id.load(owner_pk) is None:
        return Outcome(None, [Problem(ErrorCode.NOT_FOUND, "owner", "no member has this id")])
    values = {
        "cell_id": cell_pk,
        "month": month,
        "deed_id": deed_pk,
        "decision": text,
        "owner_id": owner_pk,
        "due_on": due_on,
    }
    async with ctx.sessionmaker() as session, session.begin():
        pk = await repo.insert_decision(session, values)
        row = await repo.decision_by_id(session, pk)
    assert row is not None
    return Outcome(MeetingDecision.from_row(row), [])


async def mark_done(ctx: Context, decision_id: str) -> Outcome[MeetingDecision]:
    try:
        _, pk = from_global_id(decision_id, expect="MeetingDecision")
    except BadGlobalId as e:
        return Outcome(None, [Problem(ErrorCode.INVALID_ID, "id", str(e))])
    if not may(ctx.viewer, Action.RUN_MEETINGS):
        return Outcome(None, [_not_staff()])
    async with ctx.read_engine.connect() as conn:
        row = await repo.decision_by_id(conn, pk)
    cell = None if row is None else await ctx.loaders.cell_by_id.load(row.cell_id)
    if row is None or cell is None:
        return Outcome(None, [Problem(ErrorCode.NOT_FOUND, "id", "no decision has this id")])
    if not may(ctx.viewer, Action.RUN_MEETINGS, cell.path):
        return Outcome(None, [Problem(ErrorCode.FORBIDDEN, "id", "only staff of the cell")])
    async with ctx.sessionmaker() as session, session.begin():
        await repo.mark_done(session, pk, today())
        row = await repo.decision_by_id(session, pk)
    assert row is not None
    return Outcome(MeetingDecision.from_row(row), [])


def _not_staff() -> Problem:
    return Problem(ErrorCode.FORBIDDEN, None, "only staff run the joint meeting")
