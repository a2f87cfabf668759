"""The day it is for the lifecycle: months of reports and due dates are counted in China
Standard Time (UTC+8), where the grid is, not in the server's zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "CST")


def today() -> date:
    return datetime.now(CHINA).date()
