"""Pins and forbids: pins hold (even against the objective), forbids are never assigned, and pins
that cannot all hold give INFEASIBLE_PINS naming the pins in conflict."""

from __future__ import annotations

from typing import Any

import pytest

from sandan.matching import solve
from sandan.matching.check import check

from .helpers import (
    deeds_by_need,
    instance,
    names,
    need,
    person,
    reasons_by_need,
    resource,
    two_needs_one_lead_pinned_to_both,
)


def solved(inst: dict[str, Any]) -> dict[str, Any]:
    sol = solve(inst, workers=1)
    assert sol["status"] == "OPTIMAL", sol
    report = check(inst, sol)
    assert report.ok, [str(v) for v in report.violations]
    return sol


def test_lead_pin_beats_distance() -> None:
    inst = instance(people=[person("near", "G1"), person("far", "T1")], needs=[need("n1", "G1")])
    assert deeds_by_need(solved(inst))["n1"]["lead"] == "near"  # the free choice
    inst["pins"] = [{"need": "n1", "person": "far", "role": "LEAD"}]
    sol = solved(inst)
    assert deeds_by_need(sol)["n1"]["lead"] == "far"
    assert sol["objective"]["distance"] == 3


def test_team_pin_beats_distance() -> None:
    inst = instance(
        people=[
            person("lead", "G1"),
            person("near", "G1", party_member=False),
            person("far", "G3", party_member=False),
        ],
        needs=[need("n1", "G1", volunteers=1)],
    )
    assert deeds_by_need(solved(inst))["n1"]["team"] == ["near"]
    inst["pins"] = [{"need": "n1", "person": "far", "role": "TEAM"}]
    sol = solved(inst)
    assert deeds_by_need(sol)["n1"]["team"] == ["far"]
    assert deeds_by_need(sol)["n1"]["lead"] == "lead"


def test_pin_beats_priority() -> None:
    """The only lead is pinned to the low-priority need, so the high one goes unmatched."""
    inst = instance(
        people=[person("L", "G1")],
        needs=[need("high", "G1", priority=90), need("low", "G1", priority=10)],
    )
    assert set(deeds_by_need(solved(inst))) == {"high"}
    inst["pins"] = [{"need": "low", "person": "L", "role": "LEAD"}]
    sol = solved(inst)
    assert set(deeds_by_need(sol)) == {"low"}
    assert "high" in reasons_by_need(sol)
    assert sol["objective"]["priority"] == 10


def test_forbid_is_honoured() -> None:
    inst = instance(
        people=[person("near", "G1"), person("far", "T1")],
        needs=[need("n1", "G1", volunteers=1)],
        forbid=[{"need": "n1", "person": "near"}],
    )
    sol = solved(inst)
    # Only "far" may serve n1, and a need with a team needs two people: unmatched.
    assert "n1" in reasons_by_need(sol)
    inst["people"].append(person("other", "G2"))
    sol = solved(inst)
    d = deeds_by_need(sol)["n1"]
    assert "near" not in [d["lead"], *d["team"]]
    assert {d["lead"], *d["team"]} == {"far", "other"}


def test_forbid_only_removes_the_pair() -> None:
    inst = instance(
        people=[person("p1", "G1", max_lead=2)],
        needs=[need("a", "G1"), need("b", "G1")],
        forbid=[{"need": "a", "person": "p1"}],
    )
    sol = solved(inst)
    assert set(deeds_by_need(sol)) == {"b"}
    assert deeds_by_need(sol)["b"]["lead"] == "p1"


def test_pins_and_generated_instance() -> None:
    """Every pin of a generated village holds in the solution."""
    from .helpers import load_generator

    inst = load_generator().generate("village", 3)
    assert inst["pins"]
    sol = solve(inst, workers=2, time_limit=60)
    assert check(inst, sol).ok
    deeds = deeds_by_need(sol)
    for pin in inst["pins"]:
        d = deeds[pin["need"]]
        if pin["role"] == "LEAD":
            assert d["lead"] == pin["person"]
        else:
            assert pin["person"] in d["team"]


def _conflict_cases() -> list[Any]:
    two_leads = two_needs_one_lead_pinned_to_both()
    same_need = instance(
        people=[person("p1", "G1"), person("p2", "G1")],
        needs=[need("n1", "G1")],
        pins=[
            {"need": "n1", "person": "p1", "role": "LEAD"},
            {"need": "n1", "person": "p2", "role": "LEAD"},
        ],
    )
    ineligible = instance(
        people=[person("p1", "G1", categories=["SAFETY"]), person("p2", "G1")],
        needs=[need("n1", "G1")],
        pins=[{"need": "n1", "person": "p1", "role": "LEAD"}],
    )
    not_party = instance(
        people=[person("p1", "G1", party_member=False), person("p2", "G1")],
        needs=[need("n1", "G1")],
        pins=[{"need": "n1", "person": "p1", "role": "LEAD"}],
    )
    pinned_and_forbidden = instance(
        people=[person("p1", "G1"), person("p2", "G1")],
        needs=[need("n1", "G1")],
        pins=[{"need": "n1", "person": "p1", "role": "LEAD"}],
        forbid=[{"need": "n1", "person": "p1"}],
    )
    team_too_small = instance(
        people=[person("L", "G1"), person("p1", "G1"), person("p2", "G1")],
        needs=[need("n1", "G1", volunteers=1)],
        pins=[
            {"need": "n1", "person": "p1", "role": "TEAM"},
            {"need": "n1", "person": "p2", "role": "TEAM"},
        ],
    )
    hours = instance(
        people=[person("L", "G1", max_lead=2), person("p1", "G1", hours=3, max_deeds=2)],
        needs=[need("n1", "G1", volunteers=1, hours=2), need("n2", "G1", volunteers=1, hours=2)],
        pins=[
            {"need": "n1", "person": "p1", "role": "TEAM"},
            {"need": "n2", "person": "p1", "role": "TEAM"},
        ],
    )
    lead_and_team = instance(
        people=[person("p1", "G1"), person("p2", "G1")],
        needs=[need("n1", "G1", volunteers=1)],
        pins=[
            {"need": "n1", "person": "p1", "role": "LEAD"},
            {"need": "n1", "person": "p1", "role": "TEAM"},
        ],
    )
    no_venue = instance(
        people=[person("p1", "G1")],
        needs=[need("n1", "G1", resources=[{"kind": "VENUE", "quantity": 2}])],
        resources=[resource("r1", "B1", capacity=1)],
        pins=[{"need": "n1", "person": "p1", "role": "LEAD"}],
    )
    return [
        pytest.param(two_leads, [("n1", "p1"), ("n2", "p1")], id="max_lead exceeded"),
        pytest.param(same_need, [("n1", "p1"), ("n1", "p2")], id="two leads for one need"),
        pytest.param(ineligible, [("n1", "p1")], id="pinned person ineligible"),
        pytest.param(not_party, [("n1", "p1")], id="pinned lead not a party member"),
        pytest.param(pinned_and_forbidden, [("n1", "p1")], id="pinned and forbidden"),
        pytest.param(team_too_small, [("n1", "p1"), ("n1", "p2")], id="more team pins than seats"),
        pytest.param(hours, [("n1", "p1"), ("n2", "p1")], id="hours exceeded"),
        pytest.param(lead_and_team, [("n1", "p1")], id="lead and member at once"),
        pytest.param(no_venue, [("n1", "p1")], id="pinned need cannot be fulfilled"),
    ]


@pytest.mark.parametrize(("inst", "expected"), _conflict_cases())
def test_conflicting_pins(inst: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    sol = solve(inst, workers=1)
    assert sol["status"] == "INFEASIBLE_PINS", sol
    conflicts = sol["conflicts"]
    assert conflicts
    for need_id, person_id in expected:
        assert names(conflicts, f"'{need_id}'", f"'{person_id}'"), conflicts
    # The checker accepts an INFEASIBLE_PINS answer that names pins (it cannot prove infeasibility).
    assert check(inst, sol).ok
