"""SQL of the monthly joint meeting: the deeds that belong on its agenda (with why), the
branches of the subtree, and the decisions the meeting recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.enums import OPEN_DEED_STATES, DeedStatus, Level, MatterScale, NeedStatus
from sandan.db.models import Cell, Deed, DeedFeedback, MeetingDecision, Need, RunUnmatched
from sandan.db.reader import Reader
from sandan.db.repositories.batch import Record, columns_of, records
from sandan.db.repositories.deeds_progress import overdue_clause, stalled_clause
from sandan.db.repositories.run_results import latest_reasons
from sandan.db.repositories.writes import stamp_once
from sandan.db.scope import Scope

LOW_RATING = 2  # ratings at or below this are key and difficult items


@dataclass(frozen=True)
class AgendaDeed:
    deed_pk: int
    cell_path: str
    overdue: bool
    stalled: bool
    major: bool
    low_rating: bool


async def agenda_deeds(session: Reader, under_path: str, as_of: date) -> list[AgendaDeed]:
    """Deeds of the subtree that are overdue, stalled, major (and not finished) or rated at
    most LOW_RATING, in id order."""
    overdue = overdue_clause(as_of)
    stalled = stalled_clause()
    major = (Need.scale == MatterScale.MAJOR) & Deed.status.in_(sorted(OPEN_DEED_STATES))
    low = DeedFeedback.rating <= LOW_RATING
    stmt = (
        select(Deed.id, Cell.path, overdue, stalled, major, low)
        .join(Cell, Cell.id == Deed.cell_id)
        .join(Need, Need.id == Deed.need_id)
        .outerjoin(DeedFeedback, DeedFeedback.deed_id == Deed.id)
        .where(Scope.subtrees([under_path]).clause(Cell.path))
        .where(Deed.status != DeedStatus.CANCELLED)
        .where(or_(overdue, stalled, major, low))
        .order_by(Deed.id)
    )
    result = await session.execute(stmt)
    return [
        AgendaDeed(int(pk), str(path), bool(o), bool(s), bool(m), bool(lo))
        for pk, path, o, s, m, lo in result
    ]


async def branches_under(session: Reader, under_path: str) -> list[Record]:
    """The level-2 branches of a subtree (the cell itself when it is one), in path order."""
    stmt = (
        columns_of(Cell)
        .where(Scope.subtrees([under_path]).clause(Cell.path), Cell.level == Level.BRANCH)
        .order_by(Cell.path)
    )
    return records(await session.execute(stmt))


async def decisions_for(
    session: Reader, cell_pk: int, *, deed_ids: Sequence[int] = (), months: Sequence[date] = ()
) -> list[Record]:
    """Decisions of this meeting's cell: about these deeds (any month), or of these months."""
    conditions: list[Any] = []
    if deed_ids:
        conditions.append(MeetingDecision.deed_id.in_(list(deed_ids)))
    if months:
        conditions.append(MeetingDecision.month.in_(list(months)))
    if not conditions:
        return []
    stmt = (
        columns_of(MeetingDecision)
        .where(MeetingDecision.cell_id == cell_pk, or_(*conditions))
        .order_by(MeetingDecision.month, MeetingDecision.id)
    )
    return records(await session.execute(stmt))


async def insert_decision(session: AsyncSession, values: dict[str, Any]) -> int:
    pk = await session.scalar(
        insert(MeetingDecision).values(**values).returning(MeetingDecision.id)
    )
    assert pk is not None
    return int(pk)


async def mark_done(session: AsyncSession, pk: int, on: date) -> bool:
    return await stamp_once(session, MeetingDecision.done_on, MeetingDecision.id == pk, done_on=on)


async def decision_by_id(session: Reader, pk: int) -> Record | None:
    rows = records(
        await session.execute(columns_of(MeetingDecision).where(MeetingDecision.id == pk))
    )
    return rows[0] if rows else None


async def unmatched_after_run(session: Reader, under_path: str) -> list[tuple[int, str]]:
    """Open needs of the subtree that the latest successful optimisation run covering them
    left unmatched, with that run's reasons: (need id, reasons joined). A need a later run
    proposed a deed for is left out (`latest_reasons`)."""
    stmt = (
        select(Need.id)
        .join(Cell, Cell.id == Need.cell_id)
        .where(
            Scope.subtrees([under_path]).clause(Cell.path),
            Need.status == NeedStatus.OPEN,
            Need.id.in_(select(RunUnmatched.need_id)),
        )
        .order_by(Need.id)
    )
    ids = list((await session.execute(stmt)).scalars())
    reasons = await latest_reasons(session, ids)
    return [(pk, ", ".join(reasons[pk])) for pk in ids if reasons.get(pk)]
