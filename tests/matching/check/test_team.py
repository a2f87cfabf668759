"""Team rules: exactly ``volunteers`` known, distinct members who together hold every skill."""

from __future__ import annotations

import pytest

from ..helpers import setter
from .cases import Case, Corruption, assert_caught, member, params

CASES: list[Case] = [
    ("team too small", setter("deeds", 0, "team", value=["p3"]), {"TEAM_SIZE"}),
    (
        "team member listed twice",
        setter("deeds", 0, "team", value=["p3", "p3"]),
        {"DUPLICATE_MEMBER"},
    ),
    ("unknown team member", member("ghost"), {"UNKNOWN_ID"}),
    (
        "nursing not covered",
        setter("deeds", 0, "team", value=["p2", "p9"]),
        {"SKILL_NOT_COVERED"},
    ),
    (
        "team not a list",
        setter("deeds", 0, "team", value="p3"),
        {"SOLUTION_FORMAT", "TEAM_SIZE", "SKILL_NOT_COVERED"},
    ),
]


@pytest.mark.parametrize(("corrupt", "expected"), params(CASES))
def test_team_rule_is_caught(corrupt: Corruption, expected: set[str]) -> None:
    assert_caught(corrupt, expected)
