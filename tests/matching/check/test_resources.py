"""Resource rules: only kinds the need requests, exactly the units requested, distance per unit."""

from __future__ import annotations

from typing import Any

import pytest

from sandan.matching.check import check

from ..helpers import instance, need, resource, setter
from .cases import Case, Corruption, assert_caught, params


def _uses(*uses: tuple[str, Any]) -> Corruption:
    """n1 draws these (resource, quantity) pairs."""
    return setter("deeds", 0, "resources", value=[{"resource": r, "quantity": q} for r, q in uses])


CASES: list[Case] = [
    ("too many units", _uses(("r1", 2)), {"RESOURCE_QUANTITY", "CAPACITY"}),
    ("no units", _uses(), {"RESOURCE_QUANTITY"}),
    ("wrong kind", _uses(("r2", 1)), {"RESOURCE_KIND", "RESOURCE_QUANTITY"}),
    ("zero units", _uses(("r1", 0)), {"RESOURCE_QUANTITY"}),
    ("unknown resource", _uses(("ghost", 1)), {"UNKNOWN_ID", "RESOURCE_QUANTITY"}),
]


@pytest.mark.parametrize(("corrupt", "expected"), params(CASES))
def test_resource_rule_is_caught(corrupt: Corruption, expected: set[str]) -> None:
    assert_caught(corrupt, expected)


def test_units_count_distance_per_unit() -> None:
    inst = instance(
        people=[],
        needs=[need("x", "G1", lead=False, resources=[{"kind": "FUNDS", "quantity": 3}])],
        resources=[
            resource("near", "B1", kind="FUNDS", capacity=1),
            resource("far", "T1", kind="FUNDS", capacity=5),
        ],
    )
    sol = {
        "version": 1,
        "status": "OPTIMAL",
        "objective": {"priority": 50, "distance": 1 + 2 * 3},
        "bound": {"priority": 50},
        "deeds": [
            {
                "need": "x",
                "lead": None,
                "team": [],
                "resources": [
                    {"resource": "near", "quantity": 1},
                    {"resource": "far", "quantity": 2},
                ],
                "explanation": ["e"],
            }
        ],
        "unmatched": [],
    }
    report = check(inst, sol)
    assert report.ok, [str(v) for v in report.violations]
    assert report.distance == 7
