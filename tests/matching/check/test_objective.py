"""The reported objective equals the recomputed one; the bound lies between it and the total."""

from __future__ import annotations

import pytest

from .cases import Case, Corruption, assert_caught, params, setter

CASES: list[Case] = [
    ("objective priority wrong", setter(["objective", "priority"], 61), {"OBJECTIVE_MISMATCH"}),
    ("objective distance wrong", setter(["objective", "distance"], 2), {"OBJECTIVE_MISMATCH"}),
    ("objective missing", setter(["objective"], None), {"OBJECTIVE_MISMATCH"}),
    (
        "objective priority a boolean",
        setter(["objective", "priority"], True),
        {"OBJECTIVE_MISMATCH"},
    ),
    ("bound below priority", setter(["bound", "priority"], 59), {"BOUND"}),
    ("bound missing", setter(["bound"], None), {"BOUND"}),
    ("bound above the sum of all priorities", setter(["bound", "priority"], 96), {"BOUND"}),
    ("OPTIMAL with a bound above the priority", setter(["status"], "OPTIMAL"), {"BOUND"}),
]


@pytest.mark.parametrize(("corrupt", "expected"), params(CASES))
def test_objective_rule_is_caught(corrupt: Corruption, expected: set[str]) -> None:
    assert_caught(corrupt, expected)
