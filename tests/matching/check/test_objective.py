"""The reported objective equals the recomputed one; the bound lies between it and the total."""

from __future__ import annotations

import pytest

from ..helpers import setter
from .cases import Case, Corruption, assert_caught, params

CASES: list[Case] = [
    ("objective priority wrong", setter("objective", "priority", value=61), {"OBJECTIVE_MISMATCH"}),
    ("objective distance wrong", setter("objective", "distance", value=2), {"OBJECTIVE_MISMATCH"}),
    ("objective missing", setter("objective", value=None), {"OBJECTIVE_MISMATCH"}),
    (
        "objective priority a boolean",
        setter("objective", "priority", value=True),
        {"OBJECTIVE_MISMATCH"},
    ),
    ("bound below priority", setter("bound", "priority", value=59), {"BOUND"}),
    ("bound missing", setter("bound", value=None), {"BOUND"}),
    ("bound above the sum of all priorities", setter("bound", "priority", value=96), {"BOUND"}),
    ("OPTIMAL with a bound above the priority", setter("status", value="OPTIMAL"), {"BOUND"}),
]


@pytest.mark.parametrize(("corrupt", "expected"), params(CASES))
def test_objective_rule_is_caught(corrupt: Corruption, expected: set[str]) -> None:
    assert_caught(corrupt, expected)
