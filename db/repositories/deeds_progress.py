"""SQL of monthly progress: reports written one per month, and the overdue and stalled tests
as SQL expressions, so pages filter on them and loaders read them with the same definition.

- overdue: IN_PROGRESS since before this month and no report for last month or later (a
  month passed without a report), or a milestone's due date passed while it is not done (a
  PUBLISHED or IN_PROGRESS deed);
- stalled: IN_PROGRESS and its latest report gives the same percent as the report before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from sandan.db.enums import DeedStatus
from sandan.db.models import Deed, DeedHistory, DeedMilestone, DeedReport
from sandan.db.reader import Reader


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(day: date) -> date:
    first = month_start(day)
    return (
        first.replace(year=first.year - 1, month=12)
        if first.month == 1
        else first.replace(month=first.month - 1)
    )


def _started_before(day: date) -> ColumnElement[bool]:
    started = (
        select(func.min(DeedHistory.at))
        .where(DeedHistory.deed_id == Deed.id, DeedHistory.to_status == DeedStatus.IN_PROGRESS)
        .scalar_subquery()
    )
    earlier = aliased(DeedReport, name="earlier_report")
    reported_before = exists().where(earlier.deed_id == Deed.id, earlier.month < day)
    # A deed put IN_PROGRESS without a recorded start (older data) counts as started long ago;
    # a report of an earlier month shows it was in progress then.
    return or_(started.is_(None), func.date(started) < day, reported_before)


def overdue_clause(today: date) -> ColumnElement[bool]:
    this_month = month_start(today)
    recent = aliased(DeedReport, name="recent_report")
    reported = exists().where(recent.deed_id == Deed.id, recent.month >= previous_month(today))
    missed_report = and_(
        Deed.status == DeedStatus.IN_PROGRESS, _started_before(this_month), ~reported
    )
    late_milestone = and_(
        Deed.status.in_([DeedStatus.PUBLISHED, DeedStatus.IN_PROGRESS]),
        exists().where(
            DeedMilestone.deed_id == Deed.id,
            DeedMilestone.due_on < today,
            DeedMilestone.done_on.is_(None),
        ),
    )
    return or_(missed_report, late_milestone)


def stalled_clause() -> ColumnElement[bool]:
    latest = aliased(DeedReport, name="latest_report")
    before = aliased(DeedReport, name="report_before")
    any_report = aliased(DeedReport, name="any_report")
    latest_month = (
        select(func.max(any_report.month))
        .where(any_report.deed_id == Deed.id)
        .correlate(Deed)
        .scalar_subquery()
    )
    percent_before = (
        select(before.percent)
        .where(before.deed_id == Deed.id, before.month < latest.month)
        .order_by(before.month.desc())
        .limit(1)
        .correlate(Deed, latest)
        .scalar_subquery()
    )
    return and_(
        Deed.status == DeedStatus.IN_PROGRESS,
        exists().where(
            latest.deed_id == Deed.id,
            latest.month == latest_month,
            latest.percent == percent_before,
        ),
    )


@dataclass(frozen=True)
class Standing:
    """A deed's progress as read: the latest report and the two computed flags."""

    percent: int | None
    last_month: date | None
    overdue: bool
    stalled: bool


async def standing_by_deed_ids(
    session: Reader, ids: Sequence[int], today: date
) -> dict[int, Standing]:
    months = aliased(DeedReport, name="report_months")
    latest_month = select(func.max(months.month)).where(months.deed_id == Deed.id).scalar_subquery()
    stmt = (
        select(
            Deed.id, DeedReport.percent, DeedReport.month, overdue_clause(today), stalled_clause()
        )
        .outerjoin(
            DeedReport, and_(DeedReport.deed_id == Deed.id, DeedReport.month == latest_month)
        )
        .where(Deed.id.in_(list(ids)))
    )
    result = await session.execute(stmt)
    return {
        int(pk): Standing(None if p is None else int(p), m, bool(o), bool(s))
        for pk, p, m, o, s in result
    }


@dataclass(frozen=True)
class ReportRow:
    month: date
    percent: int


async def neighbour_reports(
    session: Reader, deed_pk: int, month: date
) -> tuple[ReportRow | None, ReportRow | None]:
    """The report of this month (to be replaced), and the latest one before it."""
    same = (
        await session.execute(
            select(DeedReport.month, DeedReport.percent).where(
                DeedReport.deed_id == deed_pk, DeedReport.month == month
            )
        )
    ).first()
    earlier = (
        await session.execute(
            select(DeedReport.month, DeedReport.percent)
            .where(DeedReport.deed_id == deed_pk, DeedReport.month < month)
            .order_by(DeedReport.month.desc())
            .limit(1)
        )
    ).first()
    return (
        None if same is None else ReportRow(same[0], int(same[1])),
        None if earlier is None else ReportRow(earlier[0], int(earlier[1])),
    )


async def write_report(
    session: AsyncSession, deed_pk: int, month: date, values: dict[str, Any], replace: bool
) -> None:
    """Inserts the month's report, or replaces it; the unique (deed, month) index turns two
    concurrent first reports into one insert and an IntegrityError."""
    if replace:
        await session.execute(
            update(DeedReport)
            .where(DeedReport.deed_id == deed_pk, DeedReport.month == month)
            .values(**values, reported_at=func.now())
        )
    else:
        await session.execute(insert(DeedReport).values(deed_id=deed_pk, month=month, **values))
