"""Monthly progress reports: one per deed and month (a second replaces the first, recorded in
the history); a lower percent than the month before needs a reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.exc import IntegrityError

from sandan.db.enums import DeedStatus, HistoryKind
from sandan.db.repositories import deeds_lifecycle as repo
from sandan.db.repositories import deeds_progress as progress
from sandan.db.repositories.deeds_lifecycle import Actor
from sandan.resolvers.deeds.transitions import EVENT_MESSAGES, authorise, read_deed
from sandan.resolvers.errors import ErrorCode, Problem
from sandan.resolvers.mutations.engine import Outcome
from sandan.resolvers.permissions import Action
from sandan.schema.context import Context
from sandan.schema.types.deeds import Deed

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
TEXT_LIMIT = 2000
REASON_LIMIT = 500
PHOTO_LIMIT = 10
URL_LIMIT = 500


@dataclass(frozen=True)
class ReportInput:
    deed: str
    month: str
    percent: int
    text: str
    photo_urls: list[str]
    lower_reason: str | None


def parse_month(value: str, today: date) -> tuple[date | None, Problem | None]:
    match = MONTH.match(value)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        return None, Problem(ErrorCode.INVALID, "month", "must be a month as YYYY-MM")
    month = date(int(match.group(1)), int(match.group(2)), 1)
    if month > today:
        return None, Problem(ErrorCode.OUT_OF_RANGE, "month", "must not be a future month")
    return month, None


def _input_problems(inp: ReportInput) -> list[Problem]:
    problems: list[Problem] = []
    if not 0 <= inp.percent <= 100:
        problems.append(Problem(ErrorCode.OUT_OF_RANGE, "percent", "must be from 0 to 100"))
    if not inp.text.strip():
        problems.append(Problem(ErrorCode.REQUIRED, "text", "must not be blank"))
    elif len(inp.text) > TEXT_LIMIT:
        problems.append(Problem(ErrorCode.TOO_LONG, "text", f"at most {TEXT_LIMIT} characters"))
    if len(inp.photo_urls) > PHOTO_LIMIT:
        problems.append(Problem(ErrorCode.OUT_OF_RANGE, "photoUrls", f"at most {PHOTO_LIMIT}"))
    for url in inp.photo_urls:
        if not url.startswith(("https://", "http://")) or len(url) > URL_LIMIT:
            problems.append(
                Problem(
                    ErrorCode.INVALID,
                    "photoUrls",
                    f"each must be an http(s) link of at most {URL_LIMIT} characters",
                )
            )
            break
    if inp.lower_reason is not None and len(inp.lower_reason) > REASON_LIMIT:
        problems.append(
            Problem(ErrorCode.TOO_LONG, "lowerReason", f"at most {REASON_LIMIT} characters")
        )
    return problems


async def report_progress(ctx: Context, inp: ReportInput, today: date) -> Outcome[Deed]:
    deed, actor, problems = await authorise(ctx, Action.REPORT_PROGRESS, inp.deed)
    if deed is None or actor is None:
        return Outcome(None, [_as_deed_field(p) for p in problems])
    month, bad_month = parse_month(inp.month, today)
    problems = _input_problems(inp) + ([bad_month] if bad_month else [])
    if deed.status is not DeedStatus.IN_PROGRESS:
        problems.append(
            Problem(
                ErrorCode.ILLEGAL_TRANSITION,
                "deed",
                f"the deed is {deed.status}; progress is reported while it is IN_PROGRESS",
            )
        )
    if problems or month is None:
        return Outcome(None, problems)
    reason = (inp.lower_reason or "").strip() or None
    try:
        problem = await _write(ctx, deed.pk, actor, month, inp, reason)
    except IntegrityError:
        # Two first reports of one month at once: the unique (deed, month) index keeps one.
        problem = Problem(
            ErrorCode.CONFLICT, "month", "another report of this month was filed meanwhile"
        )
    if problem is not None:
        return Outcome(None, [problem])
    return Outcome(await read_deed(ctx, deed.pk), [])


async def _write(
    ctx: Context, deed_pk: int, actor: Actor, month: date, inp: ReportInput, reason: str | None
) -> Problem | None:
    async with ctx.sessionmaker() as session, session.begin():
        same, earlier = await progress.neighbour_reports(session, deed_pk, month)
        floor = max((r.percent for r in (same, earlier) if r is not None), default=0)
        lower = inp.percent < floor
        if lower and reason is None:
            return _lower_needs_reason(floor)
        values = {
            "percent": inp.percent,
            "text": inp.text.strip(),
            "photo_urls": list(inp.photo_urls),
            "lower_reason": reason if lower else None,
        }
        await progress.write_report(session, deed_pk, month, values, same is not None)
        label = f"{month:%Y-%m}"
        note = f"{label}: {inp.percent}%"
        if same is not None:
            note = f"{label}: report replaced, {same.percent}% → {inp.percent}%"
        if lower:
            note += f" (lower: {reason})"
        await repo.record_history(
            session, deed_pk, HistoryKind.REPORT, actor, note=note, at=datetime.now(UTC)
        )
        title = await repo.deed_title(session, deed_pk)
        message = EVENT_MESSAGES["PROGRESS"].format(title=title, month=label, percent=inp.percent)
        await repo.notify(session, deed_pk, "PROGRESS", message)
    return None


def _lower_needs_reason(floor: int) -> Problem:
    return Problem(
        ErrorCode.REQUIRED,
        "lowerReason",
        f"the percent is lower than the {floor}% reported before: say why in lowerReason",
    )


def _as_deed_field(problem: Problem) -> Problem:
    """The deed is the `deed` argument here, not `id`."""
    return Problem(
        problem.code, "deed" if problem.field == "id" else problem.field, problem.message
    )
