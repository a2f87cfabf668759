"""The deed lifecycle's root fields as cases of the role × operation test (tests/api/
test_roles.py): a small document each, with variables from the demo's ids."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from tests.api.helpers import gid
from tests.api.mutations.helpers import Demo

Variables = Callable[[Demo, dict[str, int]], dict[str, Any]]
ERRORS = "errors { code field }"


def _month() -> str:
    return f"{datetime.now(timezone(timedelta(hours=8))):%Y-%m}"


def _deed(d: Demo, x: dict[str, int]) -> dict[str, Any]:
    return {"id": gid("Deed", d.deed)}


def _step(name: str) -> tuple[str, Variables]:
    return f"mutation($id: ID!) {{ {name}(id: $id) {{ deed {{ id }} {ERRORS} }} }}", _deed


def _item(d: Demo, x: dict[str, int]) -> dict[str, Any]:
    raw = f"AgendaItem:{d.branch}:{_month()}:Deed:{d.deed}"
    return {"item": base64.b64encode(raw.encode()).decode()}


DEED_QUERIES: dict[str, tuple[str, Variables]] = {
    "jointMeetingAgenda": (
        "query($c: ID!, $m: String!) { jointMeetingAgenda(cell: $c, month: $m) { month } }",
        lambda d, x: {"c": gid("Cell", d.branch), "m": _month()},
    ),
    "notifications": ("{ notifications(first: 1) { hasNextPage } }", lambda d, x: {}),
}

DEED_MUTATIONS: dict[str, tuple[str, Variables]] = {
    "approveDeed": _step("approveDeed"),
    "publishDeed": _step("publishDeed"),
    "startDeed": _step("startDeed"),
    "completeDeed": (
        f"mutation($id: ID!) {{ completeDeed(id: $id) {{ feedbackCode {ERRORS} }} }}",
        _deed,
    ),
    "cancelDeed": (
        f'mutation($id: ID!) {{ cancelDeed(id: $id, reason: "x") {{ deed {{ id }} {ERRORS} }} }}',
        _deed,
    ),
    "reportProgress": (
        "mutation($id: ID!, $m: String!) { reportProgress(deed: $id, month: $m, percent: 10, "
        f'text: "x") {{ deed {{ id }} {ERRORS} }} }}',
        lambda d, x: {**_deed(d, x), "m": _month()},
    ),
    "setDeedPlan": (
        'mutation($id: ID!) { setDeedPlan(id: $id, plan: "x", milestones: []) '
        f"{{ deed {{ id }} {ERRORS} }} }}",
        _deed,
    ),
    "updateMilestone": (
        'mutation($id: ID!) { updateMilestone(deed: $id, seq: 1, dueOn: "2030-01-01", '
        f'reason: "x") {{ deed {{ id }} {ERRORS} }} }}',
        _deed,
    ),
    "rateDeed": (
        f'mutation {{ rateDeed(code: "NOPE", rating: 5) {{ deed {{ id }} {ERRORS} }} }}',
        lambda d, x: {},
    ),
    "commentOnDeed": (
        'mutation($id: ID!) { commentOnDeed(deed: $id, text: "x") '
        f"{{ deed {{ id }} {ERRORS} }} }}",
        _deed,
    ),
    "hideDeedComment": (
        'mutation($id: ID!) { hideDeedComment(id: $id, reason: "x") '
        f"{{ deed {{ id }} {ERRORS} }} }}",
        lambda d, x: {"id": gid("DeedComment", 1)},
    ),
    "recordMeetingDecision": (
        'mutation($item: ID!) { recordMeetingDecision(agendaItem: $item, decision: "x") '
        f"{{ decision {{ id }} {ERRORS} }} }}",
        _item,
    ),
    "markMeetingDecisionDone": (
        "mutation($id: ID!) { markMeetingDecisionDone(id: $id) "
        f"{{ decision {{ id }} {ERRORS} }} }}",
        lambda d, x: {"id": gid("MeetingDecision", 1)},
    ),
    "markNotificationsRead": (
        f"mutation {{ markNotificationsRead(ids: []) {{ marked {ERRORS} }} }}",
        lambda d, x: {},
    ),
}
