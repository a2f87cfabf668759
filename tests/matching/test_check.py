"""The independent checker (sandan.matching.check) on hand-built solutions: no solver involved.

A valid solution passes; each single corruption is caught with its own rule code; the recomputed
objective follows the contract (priority of fulfilled needs, tree edges per lead, member and unit).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from sandan.matching.check import check

from .helpers import instance, need, person, resource


def base() -> tuple[dict[str, Any], dict[str, Any]]:
    inst = instance(
        people=[
            person("p1", "G1"),
            person("p2", "G1", party_member=False, max_lead=0, max_deeds=2, hours=4),
            person("p3", "G2", skills=["nursing"], reach="BRANCH"),
            person("p4", "G3", reach="GROUP"),
            person("p5", "G1", party_member=False, max_lead=1),
            person("p6", "G1", categories=["SAFETY"]),
            person("p7", "G1", available=["2026-06-10", "2026-06-30"]),
            person("p8", "G1", household="h1"),
            person("p9", "G1"),
            person("p10", "G2", reach="GROUP"),
        ],
        needs=[
            need(
                "n1",
                "G1",
                priority=60,
                volunteers=2,
                skills=["nursing"],
                resources=[{"kind": "VENUE", "quantity": 1}],
                window=["2026-05-01", "2026-05-31"],
                household="h1",
            ),
            need("n2", "G1", priority=30, volunteers=1, hours=3),
            need("n3", "G3", priority=5, lead=False, volunteers=1),
        ],
        resources=[
            resource("r1", "B1", kind="VENUE", capacity=1),
            resource("r2", "B1", kind="FUNDS", capacity=5),
            resource("r3", "G3", kind="VENUE", capacity=3, reach="GROUP"),
        ],
        forbid=[{"need": "n2", "person": "p9"}],
        pins=[{"need": "n1", "person": "p1", "role": "LEAD"}],
    )
    sol = {
        "version": 1,
        "status": "FEASIBLE",
        "objective": {"priority": 60, "distance": 3},
        "bound": {"priority": 95},
        "deeds": [
            {
                "need": "n1",
                "lead": "p1",
                "team": ["p2", "p3"],
                "resources": [{"resource": "r1", "quantity": 1}],
                "explanation": ["p3 is a nurse in the next group"],
            }
        ],
        "unmatched": [
            {"need": "n2", "reasons": ["OUTPRIORITISED"]},
            {"need": "n3", "reasons": ["NOT_ENOUGH_VOLUNTEERS"]},
        ],
        "stats": {"components": 1, "seconds": 0.0},
    }
    return inst, sol


def test_valid_solution_passes_and_objective_is_recomputed() -> None:
    inst, sol = base()
    report = check(inst, sol)
    assert report.ok, [str(v) for v in report.violations]
    assert report.priority == 60
    # p1 and p2 sit in the need's group (0), p3 in the sibling group (2), r1 in the branch (1).
    assert report.distance == 3
    assert (report.deeds, report.unmatched) == (1, 2)


def deed(sol: dict[str, Any]) -> dict[str, Any]:
    d: dict[str, Any] = sol["deeds"][0]
    return d


def add_deed(sol: dict[str, Any], d: dict[str, Any], priority: int, distance: int) -> None:
    sol["unmatched"] = [u for u in sol["unmatched"] if u["need"] != d["need"]]
    d.setdefault("explanation", ["test"])
    sol["deeds"].append(d)
    sol["objective"]["priority"] += priority
    sol["objective"]["distance"] += distance


def _lead(who: str) -> Callable[[dict[str, Any]], None]:
    def f(sol: dict[str, Any]) -> None:
        deed(sol)["lead"] = who

    return f


def _member(who: str) -> Callable[[dict[str, Any]], None]:
    def f(sol: dict[str, Any]) -> None:
        deed(sol)["team"] = ["p3", who]

    return f


def _n2_with(lead: str, member: str) -> Callable[[dict[str, Any]], None]:
    def f(sol: dict[str, Any]) -> None:
        add_deed(sol, {"need": "n2", "lead": lead, "team": [member], "resources": []}, 30, 0)

    return f


def _n3_team(member: str, dist: int) -> Callable[[dict[str, Any]], None]:
    def f(sol: dict[str, Any]) -> None:
        add_deed(sol, {"need": "n3", "lead": None, "team": [member], "resources": []}, 5, dist)

    return f


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def f(sol: dict[str, Any]) -> None:
        target = sol
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return f


def _drop_unmatched(sol: dict[str, Any]) -> None:
    sol["unmatched"].pop()


def _dup_unmatched(sol: dict[str, Any]) -> None:
    sol["unmatched"].append({"need": "n1", "reasons": ["OUTPRIORITISED"]})


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


CORRUPTIONS: list[tuple[str, Callable[[dict[str, Any]], None], set[str]]] = [
    ("non-party lead", _lead("p5"), {"LEAD_NOT_ALLOWED"}),
    ("party member with max_lead 1 leading twice", _n2_with("p1", "p9"), {"MAX_LEAD", "FORBID"}),
    ("lead in another branch with group reach", _lead("p4"), {"REACH"}),
    ("lead serving the wrong category", _lead("p6"), {"CATEGORY"}),
    ("lead unavailable in the window", _lead("p7"), {"TIME"}),
    ("lead from the need's household", _lead("p8"), {"CONFLICT_OF_INTEREST"}),
    ("forbidden team member", _n2_with("p7", "p9"), {"FORBID"}),
    ("non-party person with max_lead 1", _n2_with("p5", "p7"), {"LEAD_NOT_ALLOWED"}),
    ("team member twice over max_deeds", _n2_with("p7", "p3"), {"MAX_DEEDS"}),
    ("team member over their hours", _n2_with("p7", "p2"), {"HOURS"}),
    ("team too small", _set(["deeds", 0, "team"], ["p3"]), {"TEAM_SIZE"}),
    ("team member listed twice", _set(["deeds", 0, "team"], ["p3", "p3"]), {"DUPLICATE_MEMBER"}),
    ("lead also in the team", _member("p1"), {"LEAD_IN_TEAM"}),
    ("nursing not covered", _set(["deeds", 0, "team"], ["p2", "p9"]), {"SKILL_NOT_COVERED"}),
    ("unknown team member", _member("ghost"), {"UNKNOWN_ID"}),
    ("unknown need", _set(["deeds", 0, "need"], "n99"), {"UNKNOWN_ID", "NEED_MISSING"}),
    ("lead missing", _set(["deeds", 0, "lead"], None), {"LEAD_MISSING", "PIN"}),
    (
        "too many units",
        _set(["deeds", 0, "resources"], [{"resource": "r1", "quantity": 2}]),
        {"RESOURCE_QUANTITY", "CAPACITY"},
    ),
    ("no units", _set(["deeds", 0, "resources"], []), {"RESOURCE_QUANTITY"}),
    (
        "wrong kind",
        _set(["deeds", 0, "resources"], [{"resource": "r2", "quantity": 1}]),
        {"RESOURCE_KIND", "RESOURCE_QUANTITY"},
    ),
    (
        "resource out of reach",
        _set(["deeds", 0, "resources"], [{"resource": "r3", "quantity": 1}]),
        {"REACH"},
    ),
    ("capacity exceeded", _capacity, {"CAPACITY", "RESOURCE_KIND"}),
    ("need missing", _drop_unmatched, {"NEED_MISSING"}),
    ("need twice", _dup_unmatched, {"NEED_TWICE"}),
    ("objective priority wrong", _set(["objective", "priority"], 61), {"OBJECTIVE_MISMATCH"}),
    ("objective distance wrong", _set(["objective", "distance"], 2), {"OBJECTIVE_MISMATCH"}),
    ("bound below priority", _set(["bound", "priority"], 59), {"BOUND"}),
    ("explanation missing", _set(["deeds", 0, "explanation"], []), {"EXPLANATION_MISSING"}),
    ("reasons missing", _set(["unmatched", 0, "reasons"], []), {"REASONS_MISSING"}),
    ("bad status", _set(["status"], "GREAT"), {"STATUS"}),
    ("group reach team member out of reach", _n3_team("p10", 4), {"REACH"}),
    ("pinned lead replaced", _lead("p9"), {"PIN"}),
]


@pytest.mark.parametrize(
    ("corrupt", "expected"),
    [pytest.param(f, e, id=name) for name, f, e in CORRUPTIONS],
)
def test_corruption_is_caught(
    corrupt: Callable[[dict[str, Any]], None], expected: set[str]
) -> None:
    inst, sol = base()
    corrupt(sol)
    report = check(inst, sol)
    assert not report.ok
    rules = report.rules()
    # The corruption's own rule(s) must be reported; a changed deed may also shift the objective
    # or break the pin on n1, but nothing else may be flagged.
    assert expected <= rules, [str(v) for v in report.violations]
    assert rules - expected <= {"OBJECTIVE_MISMATCH", "PIN"}, [str(v) for v in report.violations]


def test_reach_levels_and_distances() -> None:
    """Reach BRANCH at G1 covers G2 but not G3; VILLAGE covers G3, four edges away."""
    inst = instance(
        people=[person("a", "G1", reach="BRANCH"), person("b", "G1", reach="VILLAGE")],
        needs=[need("x", "G2", priority=7), need("y", "G3", priority=9)],
    )
    sol: dict[str, Any] = {
        "version": 1,
        "status": "OPTIMAL",
        "objective": {"priority": 16, "distance": 6},
        "bound": {"priority": 16},
        "deeds": [
            {"need": "x", "lead": "a", "team": [], "resources": [], "explanation": ["e"]},
            {"need": "y", "lead": "b", "team": [], "resources": [], "explanation": ["e"]},
        ],
        "unmatched": [],
    }
    report = check(inst, sol)
    assert report.ok, [str(v) for v in report.violations]
    assert (report.priority, report.distance) == (16, 6)
    swapped = copy.deepcopy(sol)
    swapped["deeds"][0]["lead"], swapped["deeds"][1]["lead"] = "b", "a"
    bad = check(inst, swapped)
    assert bad.rules() == {"REACH"}  # a cannot reach G3 (both sit in G1: same distance)
    assert [v.person for v in bad.violations if v.rule == "REACH"] == ["a"]


def test_reach_above_own_cell_is_own_cell() -> None:
    """A person sitting in a village with reach GROUP serves the whole village."""
    inst = instance(people=[person("a", "V1", reach="GROUP")], needs=[need("x", "G3")])
    sol = {
        "version": 1,
        "status": "OPTIMAL",
        "objective": {"priority": 50, "distance": 2},
        "bound": {"priority": 50},
        "deeds": [{"need": "x", "lead": "a", "team": [], "resources": [], "explanation": ["e"]}],
        "unmatched": [],
    }
    assert check(inst, sol).ok


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


@pytest.mark.parametrize("bad", [None, [], "x", {"cells": "no"}, {"needs": [{"id": 1}]}])
def test_invalid_instance_gives_violations(bad: Any) -> None:
    _, sol = base()
    report = check(bad, sol)
    assert not report.ok
    assert not report.instance_valid
    assert report.rules() == {"INVALID_INSTANCE"}
