"""The solution's version and status; INFEASIBLE_PINS names pins; garbage gives violations."""

from __future__ import annotations

from typing import Any

import pytest

from sandan.matching.check import check

from ..helpers import setter
from .cases import Case, Corruption, assert_caught, base, params

CASES: list[Case] = [
    ("bad status", setter("status", value="GREAT"), {"STATUS"}),
    (
        "status INVALID_INSTANCE for a valid instance",
        setter("status", value="INVALID_INSTANCE"),
        {"STATUS"},
    ),
    ("version 2", setter("version", value=2), {"SOLUTION_FORMAT"}),
]


@pytest.mark.parametrize(("corrupt", "expected"), params(CASES))
def test_status_rule_is_caught(corrupt: Corruption, expected: set[str]) -> None:
    assert_caught(corrupt, expected)


def test_infeasible_pins_status_needs_pins_and_conflicts() -> None:
    inst, _ = base()
    sol: dict[str, Any] = {"version": 1, "status": "INFEASIBLE_PINS", "conflicts": [{"need": "n1"}]}
    assert check(inst, sol).ok
    sol["conflicts"] = [{"need": "n1", "person": "p1", "role": "LEAD"}]
    assert check(inst, sol).ok
    sol["conflicts"] = [{"need": "n2", "person": "p1", "role": "LEAD"}]  # not a pin
    assert check(inst, sol).rules() == {"STATUS"}
    sol["conflicts"] = []
    assert check(inst, sol).rules() == {"STATUS"}
    inst["pins"] = []
    assert check(inst, sol).rules() == {"STATUS"}


@pytest.mark.parametrize("solution", [None, [], "x", 3, {"version": 1}])
def test_garbage_solution_gives_violations(solution: Any) -> None:
    inst, _ = base()
    report = check(inst, solution)
    assert not report.ok
