"""Resource pins inside a run's instance (pure: no database): the pinned units come off the
resource's capacity and the need's request, are listed in `resource_pins`, and join the need's
deed when the solver fulfils it; a pin that no longer fits is left out, never over-reserved."""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

from sandan.matching.solver import solve
from sandan.resolvers.runs.resource_pins import reserve, with_pinned
from sandan.resolvers.runs.results import proposed_deeds

CELLS = [
    {"id": "T", "parent": None, "level": "TOWN"},
    {"id": "V1", "parent": "T", "level": "VILLAGE"},
    {"id": "V2", "parent": "T", "level": "VILLAGE"},
    {"id": "B1", "parent": "V1", "level": "BRANCH"},
]


def _instance() -> dict[str, Any]:
    return {
        "version": 1,
        "cells": copy.deepcopy(CELLS),
        "people": [
            {"id": "p1", "cell": "B1", "party_member": True, "max_lead": 2, "max_deeds": 2},
        ],
        "resources": [
            {"id": "r1", "cell": "V1", "reach": "VILLAGE", "kind": "VENUE", "capacity": 3},
            {"id": "r2", "cell": "V2", "reach": "VILLAGE", "kind": "VENUE", "capacity": 5},
            {"id": "r3", "cell": "T", "kind": "FUNDS", "capacity": 1, "categories": ["SAFETY"]},
        ],
        "needs": [
            {
                "id": "n1",
                "cell": "B1",
                "category": "DAILY_LIFE",
                "priority": 10,
                "resources": [{"kind": "VENUE", "quantity": 2}],
            },
            {
                "id": "n2",
                "cell": "B1",
                "category": "DAILY_LIFE",
                "priority": 5,
                "resources": [{"kind": "VENUE", "quantity": 2}, {"kind": "FUNDS", "quantity": 1}],
            },
        ],
    }


def _pin(need: int, resource: int, quantity: int) -> SimpleNamespace:
    return SimpleNamespace(need_id=need, resource_id=resource, quantity=quantity)


def test_reserved_units_leave_the_capacity_and_the_request() -> None:
    instance = _instance()
    assert reserve(instance, [_pin(1, 1, 2)]) == 0
    assert instance["resource_pins"] == [
        {"need": "n1", "resource": "r1", "kind": "VENUE", "quantity": 2}
    ]
    assert instance["resources"][0]["capacity"] == 1
    assert instance["needs"][0]["resources"] == []  # fully covered by the pin


def test_a_pin_that_no_longer_fits_is_left_out() -> None:
    instance = _instance()
    pins = [
        _pin(1, 2, 1),  # r2 sits in V2 with VILLAGE reach: n1 (in V1) is out of its reach
        _pin(2, 3, 1),  # r3 serves SAFETY only: n2 is DAILY_LIFE
        _pin(1, 1, 3),  # n1 requests 2 VENUE units, not 3
        _pin(9, 1, 1),  # no such need in the instance
        _pin(1, 1, 2),  # fits: r1 has 3 units
        _pin(2, 1, 2),  # r1 has 1 unit left after the pin above
    ]
    assert reserve(instance, pins) == 5
    assert [p["need"] for p in instance["resource_pins"]] == ["n1"]
    assert instance["resources"][0]["capacity"] == 1
    assert instance["needs"][1]["resources"][0] == {"kind": "VENUE", "quantity": 2}


def test_the_deed_of_a_fulfilled_need_gets_the_pinned_units_and_nothing_is_over_committed() -> None:
    instance = _instance()
    reserve(instance, [_pin(1, 1, 1)])
    solution = solve(copy.deepcopy(instance), time_limit=5, workers=1, seed=1)
    titles = {1: ("n1", 1), 2: ("n2", 1)}
    deeds = with_pinned(proposed_deeds(solution, titles), instance["resource_pins"])
    by_need = {d.need_id: d for d in deeds}
    assert 1 in by_need  # n1: 1 unit pinned, 1 more VENUE unit from the solver
    assert sum(q for _, q in by_need[1].resources) == 2
    assert (1, 1) in by_need[1].resources or (1, 2) in by_need[1].resources
    assert any("Pinned by staff: 1 x r1 (VENUE)" in line for line in by_need[1].explanation)
    used: dict[int, int] = {}
    for deed in deeds:
        for pk, quantity in deed.resources:
            used[pk] = used.get(pk, 0) + quantity
    capacity = {int(r["id"][1:]): r["capacity"] for r in _instance()["resources"]}
    assert all(used[pk] <= capacity[pk] for pk in used)


def test_an_unmatched_need_holds_nothing() -> None:
    deeds = proposed_deeds({"deeds": []}, {})
    reservations = [{"need": "n1", "resource": "r1", "kind": "VENUE", "quantity": 2}]
    assert with_pinned(deeds, reservations) == []
