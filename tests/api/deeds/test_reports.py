"""Monthly progress reports over HTTP: one per month (a second replaces it, recorded), a lower
percent needs a reason, and overdue and stalled are computed when read and filterable."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx

from tests.api.deeds.helpers import START, Place, deed_in, place_of, refused_with, step
from tests.api.helpers import data_of, execute
from tests.conftest import api_client

REPORT = """mutation($deed: ID!, $month: String!, $percent: Int!, $text: String!,
  $lowerReason: String, $photoUrls: [String!]) {
  reportProgress(deed: $deed, month: $month, percent: $percent, text: $text,
    lowerReason: $lowerReason, photoUrls: $photoUrls) {
    deed { id progress { percent overdue stalled lastReportMonth }
      reports { month percent lowerReason photoUrls } history { kind note } }
    errors { code field message } } }"""

FLAGGED = """query($overdue: Boolean, $stalled: Boolean) {
  deeds(first: 100, filter: {overdue: $overdue, stalled: $stalled}) { nodes { id } } }"""


def month(back: int) -> str:  # negative: months ahead
    """The month `back` months before this one (China time), as YYYY-MM."""
    day = datetime.now(timezone(timedelta(hours=8))).date().replace(day=1)
    for _ in range(back):
        day = (day - timedelta(days=1)).replace(day=1)
    for _ in range(-back):
        day = (day + timedelta(days=32)).replace(day=1)
    return f"{day:%Y-%m}"


async def started_deed(url: str) -> Place:
    """A published deed, started by its branch secretary, with its plan's steps all done (so
    only reports decide whether it is overdue)."""
    p = await place_of(url, await deed_in(url, "PUBLISHED"))
    await execute(url, f"UPDATE deed_milestones SET done_on = due_on WHERE deed_id = {p.deed}")
    return p


async def flagged(client: httpx.AsyncClient, token: str, **flags: bool) -> set[str]:
    headers = {"authorization": f"Bearer {token}"}
    response = await client.post(
        "/graphql", json={"query": FLAGGED, "variables": flags}, headers=headers
    )
    return {n["id"] for n in data_of(response.json())["deeds"]["nodes"]}


async def report(
    client: httpx.AsyncClient, token: str | None, p: Place, **variables: Any
) -> dict[str, Any]:
    return await step(client, token, REPORT, deed=p.deed_id, text="完成路面硬化", **variables)


async def test_a_skipped_month_makes_a_deed_overdue_and_a_flat_figure_stalled(
    demo_url: str,
) -> None:
    p = await started_deed(demo_url)
    async with api_client(demo_url) as client:
        assert (await step(client, p.branch, START, id=p.deed_id))["errors"] == []
        first = await report(client, p.branch, p, month=month(2), percent=30)
        assert first["errors"] == [], first
        # Last month passed without a report: overdue.
        assert first["deed"]["progress"] == {
            "percent": 30,
            "overdue": True,
            "stalled": False,
            "lastReportMonth": f"{month(2)}-01",
        }
        assert p.deed_id in await flagged(client, p.town, overdue=True)
        assert p.deed_id not in await flagged(client, p.town, overdue=False)
        # Last month's report, at the same figure: no longer overdue, but stalled.
        second = await report(client, p.branch, p, month=month(1), percent=30)
        assert second["deed"]["progress"]["overdue"] is False
        assert second["deed"]["progress"]["stalled"] is True
        assert p.deed_id in await flagged(client, p.town, stalled=True)
        assert p.deed_id not in await flagged(client, p.town, overdue=True)


async def test_a_second_report_of_a_month_replaces_it_and_lower_needs_a_reason(
    demo_url: str,
) -> None:
    p = await started_deed(demo_url)
    async with api_client(demo_url) as client:
        await step(client, p.branch, START, id=p.deed_id)
        await report(
            client, p.branch, p, month=month(1), percent=40, photoUrls=["https://x.cn/1.jpg"]
        )
        lower = await report(client, p.branch, p, month=month(1), percent=35)
        assert refused_with(lower) == {("REQUIRED", "lowerReason")}
        fixed = await report(
            client, p.branch, p, month=month(1), percent=35, lowerReason="返工一段路面"
        )
        deed = fixed["deed"]
        assert [(r["percent"], r["lowerReason"]) for r in deed["reports"]] == [(35, "返工一段路面")]
        notes = [h["note"] for h in deed["history"] if h["kind"] == "REPORT"]
        assert notes[-1] == f"{month(1)}: report replaced, 40% → 35% (lower: 返工一段路面)"


async def test_reports_are_refused_for_bad_input_wrong_state_and_the_public(
    demo_url: str,
) -> None:
    p = await started_deed(demo_url)
    async with api_client(demo_url) as client:
        # Not started yet: the deed is PUBLISHED.
        early = await report(client, p.branch, p, month=month(0), percent=10)
        assert refused_with(early) == {("ILLEGAL_TRANSITION", "deed")}
        await step(client, p.branch, START, id=p.deed_id)
        public = await report(client, None, p, month=month(0), percent=10)
        assert refused_with(public) == {("FORBIDDEN", None)}
        other = await report(client, p.other_branch, p, month=month(0), percent=10)
        assert refused_with(other) == {("FORBIDDEN", "deed")}
        future = date.today() + timedelta(days=62)
        bad = await report(
            client, p.branch, p, month=f"{future:%Y-%m}", percent=101, photoUrls=["ftp://x"]
        )
        assert refused_with(bad) == {
            ("OUT_OF_RANGE", "month"),
            ("OUT_OF_RANGE", "percent"),
            ("INVALID", "photoUrls"),
        }
        assert refused_with(await report(client, p.branch, p, month="2026-13", percent=1)) == {
            ("INVALID", "month")
        }
