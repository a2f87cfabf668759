"""Eligibility of one person or resource for one need: reach, category, time, household, forbid."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sandan.matching.check import check, distance, eligibility, read_instance

from ..helpers import CELLS_FOREST, instance, need, optimal_solution, person, setter
from .cases import Case, Corruption, assert_caught, lead, n2_with, n3_team, params

CASES: list[Case] = [
    ("lead in another branch with group reach", lead("p4"), {"REACH"}),
    ("lead serving the wrong category", lead("p6"), {"CATEGORY"}),
    ("lead unavailable in the window", lead("p7"), {"TIME"}),
    ("lead from the need's household", lead("p8"), {"CONFLICT_OF_INTEREST"}),
    ("forbidden team member", n2_with("p7", "p9"), {"FORBID"}),
    (
        "resource out of reach",
        setter("deeds", 0, "resources", value=[{"resource": "r3", "quantity": 1}]),
        {"REACH"},
    ),
    ("group reach team member out of reach", n3_team("p10", 4), {"REACH"}),
]


@pytest.mark.parametrize(("corrupt", "expected"), params(CASES))
def test_eligibility_rule_is_caught(corrupt: Corruption, expected: set[str]) -> None:
    assert_caught(corrupt, expected)


def _solution(priority: int, dist: int, *leads: tuple[str, str]) -> dict[str, Any]:
    """An OPTIMAL solution whose deeds are (need, lead) pairs without team or resources."""
    deeds = [
        {"need": n, "lead": p, "team": [], "resources": [], "explanation": ["e"]} for n, p in leads
    ]
    return optimal_solution(priority, dist, deeds, [])


def test_reach_levels_and_distances() -> None:
    """Reach BRANCH at G1 covers G2 but not G3; VILLAGE covers G3, four edges away."""
    inst = instance(
        people=[person("a", "G1", reach="BRANCH"), person("b", "G1", reach="VILLAGE")],
        needs=[need("x", "G2", priority=7), need("y", "G3", priority=9)],
    )
    sol = _solution(16, 6, ("x", "a"), ("y", "b"))
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
    assert check(inst, _solution(50, 2, ("x", "a"))).ok


def test_distance_counts_tree_edges_and_is_undefined_across_trees() -> None:
    inst = instance(people=[], needs=[], cells=CELLS_FOREST)
    model, errors = read_instance(inst)
    assert model is not None, errors
    assert distance(model, "G1", "G1") == 0
    assert distance(model, "G1", "G2") == 2
    assert distance(model, "G1", "T1") == 3
    assert distance(model, "G1", "G4") is None


def test_eligibility_lists_every_broken_rule_at_once() -> None:
    inst = instance(
        people=[
            person(
                "a",
                "G1",
                reach="GROUP",
                categories=["SAFETY"],
                household="h",
                available=["2026-01-01", "2026-01-31"],
            )
        ],
        needs=[need("x", "G3", household="h", window=["2026-05-01", "2026-05-31"])],
        forbid=[{"need": "x", "person": "a"}],
    )
    model, errors = read_instance(inst)
    assert model is not None, errors
    a, x = model.people["a"], model.needs["x"]
    assert eligibility(model, a, x, is_person=True) == [
        "REACH",
        "CATEGORY",
        "TIME",
        "CONFLICT_OF_INTEREST",
        "FORBID",
    ]
    # Household and forbid rules are about people only.
    assert eligibility(model, a, x, is_person=False) == ["REACH", "CATEGORY", "TIME"]
