"""Capacities across deeds: max_deeds, hours and max_lead of a person, capacity of a resource."""

from __future__ import annotations

from typing import Any

import pytest

from .cases import Case, Corruption, add_deed, assert_caught, n2_with, params


def _capacity(sol: dict[str, Any]) -> None:
    # n2 asks for no VENUE, but drawing r1 again also exceeds its capacity of 1.
    add_deed(
        sol,
        {
            "need": "n2",
            "lead": "p7",
            "team": ["p5"],
            "resources": [{"resource": "r1", "quantity": 1}],
        },
        30,
        1,
    )


CASES: list[Case] = [
    ("party member with max_lead 1 leading twice", n2_with("p1", "p9"), {"MAX_LEAD", "FORBID"}),
    ("team member twice over max_deeds", n2_with("p7", "p3"), {"MAX_DEEDS"}),
    ("team member over their hours", n2_with("p7", "p2"), {"HOURS"}),
    ("capacity exceeded", _capacity, {"CAPACITY", "RESOURCE_KIND"}),
]


@pytest.mark.parametrize(("corrupt", "expected"), params(CASES))
def test_capacity_rule_is_caught(corrupt: Corruption, expected: set[str]) -> None:
    assert_caught(corrupt, expected)
