"""The deeds' lives after mid-May 2026: their history, monthly reports to November 2026 (some
skip a month → overdue, some stay flat → stalled), households' ratings, a cancelled deed, and
the joint meetings' decisions of November, so the board and the December agenda are full."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sandan.demo.data import DemoData, Row
from sandan.demo.population import stamp

LAST_REPORTED = date(2026, 11, 1)  # the demo's latest month of reports
COMMENTS = (
    "办得很及时，谢谢党员志愿者",
    "效果不错",
    "希望以后多来看看",
    "进度有点慢",
    "没有解决根本问题",
)


def build_lifecycle(rng: random.Random, data: DemoData) -> None:
    needs = {n["id"]: n for n in data.needs}
    leads = {d["id"]: d["lead_id"] for d in data.deeds}
    proposed = [d for d in data.deeds if d["status"] == "PROPOSED"]
    if len(proposed) > 1:  # one dropped, with its reason; its need is open again
        cancelled = proposed[-1]
        cancelled["status"] = "CANCELLED"
        needs[cancelled["need_id"]]["status"] = "OPEN"
        _history(data, cancelled, "PROPOSED", "CANCELLED", cancelled["created_at"], "资金未落实")
    in_progress = 0
    for deed in data.deeds:
        _walk_history(data, deed)
        if deed["status"] == "IN_PROGRESS":
            _reports(rng, data, deed, pattern=in_progress % 3)
            in_progress += 1
        elif deed["status"] == "COMPLETED":
            _reports(rng, data, deed, pattern=2)
            if rng.random() < 0.6:
                _rate(rng, data, deed)
    _decisions(data, leads)


def _history(
    data: DemoData, deed: Row, before: str, after: str, at: datetime, note: str | None = None
) -> None:
    role = "BRANCH_SECRETARY" if after in ("IN_PROGRESS", "COMPLETED") else "VILLAGE_STAFF"
    data.deed_history.append(
        {
            "id": len(data.deed_history) + 1,
            "deed_id": deed["id"],
            "at": at,
            "kind": "STATUS",
            "from_status": before,
            "to_status": after,
            "actor_role": role,
            "actor_person_id": None,
            "actor_account_id": None,
            "note": note,
        }
    )


def _walk_history(data: DemoData, deed: Row) -> None:
    status = deed["status"]
    steps = ("APPROVED", "PUBLISHED", "IN_PROGRESS", "COMPLETED")
    if status not in steps:
        return
    approved: datetime = deed["approved_at"]
    times = {
        "APPROVED": approved,
        "PUBLISHED": deed["published_at"],
        "IN_PROGRESS": (deed["published_at"] or approved) + timedelta(days=3),
        "COMPLETED": deed["done_at"],
    }
    before = "PROPOSED"
    for step in steps[: steps.index(status) + 1]:
        _history(data, deed, before, step, times[step])
        before = step


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _reports(rng: random.Random, data: DemoData, deed: Row, pattern: int) -> None:
    """pattern 0: last month skipped (overdue); 1: flat for the last two (stalled); 2: steady."""
    start = (deed["published_at"] or deed["approved_at"]).date()
    end = deed["done_at"].date() if deed["done_at"] else LAST_REPORTED
    months = _months(start, end)
    if pattern == 0 and len(months) > 1:
        months = months[:-1]
    percent = 0
    for i, month in enumerate(months):
        flat = pattern == 1 and i == len(months) - 1 and i > 0
        if not flat:
            percent = min(95, percent + rng.randint(10, 25))
        if deed["done_at"] is not None and i == len(months) - 1:
            percent = 100
        data.deed_reports.append(
            {
                "id": len(data.deed_reports) + 1,
                "deed_id": deed["id"],
                "month": month,
                "percent": percent,
                "text": f"{month.month}月：按计划推进，完成{percent}%",
                "photo_urls": [],
                "lower_reason": None,
                "reported_at": stamp(month + timedelta(days=27), 17),
            }
        )


def _rate(rng: random.Random, data: DemoData, deed: Row) -> None:
    (rating,) = rng.choices((5, 4, 3, 2, 1), weights=(5, 4, 2, 1, 1))
    deed["status"] = "EVALUATED"
    rated = deed["done_at"] + timedelta(days=rng.randint(2, 10))
    data.deed_feedback.append(
        {
            "id": len(data.deed_feedback) + 1,
            "deed_id": deed["id"],
            "rating": rating,
            "comment": COMMENTS[5 - rating],
            "rated_at": rated,
        }
    )
    data.deed_history.append(
        {
            "id": len(data.deed_history) + 1,
            "deed_id": deed["id"],
            "at": rated,
            "kind": "STATUS",
            "from_status": "COMPLETED",
            "to_status": "EVALUATED",
            "actor_role": "HOUSEHOLD",
            "actor_person_id": None,
            "actor_account_id": None,
            "note": f"rated {rating}/5",
        }
    )


def _decisions(data: DemoData, leads: dict[int, int | None]) -> None:
    """November's meeting of each village decided on its deeds that skipped a report; half of
    the decisions are done by December's meeting."""
    reported = {(r["deed_id"], r["month"]) for r in data.deed_reports}
    cells = {c["id"]: c for c in data.cells}
    for deed in data.deeds:
        late = deed["status"] == "IN_PROGRESS" and (deed["id"], LAST_REPORTED) not in reported
        village = _village_of(cells, deed["cell_id"])
        if not late or village is None:
            continue
        done = len(data.meeting_decisions) % 2 == 0
        data.meeting_decisions.append(
            {
                "id": len(data.meeting_decisions) + 1,
                "cell_id": village,
                "month": LAST_REPORTED,
                "deed_id": deed["id"],
                "need_id": None,
                "decision": "督促负责人补报进度，下月联席会议复查",
                "owner_id": leads[deed["id"]],
                "due_on": date(2026, 11, 30),
                "done_on": date(2026, 11, 28) if done else None,
                "recorded_at": stamp(date(2026, 11, 20), 15),
            }
        )


def _village_of(cells: dict[int, Row], cell_id: int) -> int | None:
    cell: Row | None = cells.get(cell_id)
    while cell is not None and cell["level"] != "VILLAGE":
        cell = cells.get(cell["parent_id"]) if cell["parent_id"] else None
    return None if cell is None else int(cell["id"])
