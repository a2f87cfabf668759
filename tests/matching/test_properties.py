"""Property tests: random tiny instances against an exhaustive reference optimiser.

- the brute force's optimum, written out as a solution, passes the independent checker (so the
  reference and the checker agree on the rules);
- ``solve`` returns a solution the checker accepts, and when it says OPTIMAL its priority sum and
  then its distance equal the brute-force optimum (both lexicographic levels);
- when the brute force finds that the pins cannot hold, ``solve`` answers INFEASIBLE_PINS;
- the greedy strategy is valid and never beats the optimum;
- instances cover a forest with a tree rooted below TOWN that skips a level, and a "dense" family
  where eligibility is loose and the limits (deeds, hours, leads, units) make needs compete.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sandan.matching import solve
from sandan.matching.check import check

from .bruteforce import BruteForce
from .helpers import CELLS, CELLS_FOREST

REACHES = [None, None, "TOWN", "TOWN", "VILLAGE", "VILLAGE", "BRANCH", "GROUP"]
WINDOWS: list[list[str] | None] = [
    None,
    None,
    None,
    None,
    ["2026-05-01", "2026-05-15"],
    ["2026-05-10", "2026-05-31"],
    ["2026-06-01", "2026-06-30"],
]
SKILLS = ["nursing", "legal"]
CATEGORY_SETS: list[list[str]] = [[], [], [], ["DAILY_LIFE"], ["SAFETY"], ["DAILY_LIFE", "SAFETY"]]

PROFILE = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
    # No shrinking: a failure prints its (already tiny) instance at once instead of spending half a
    # minute minimising it, which keeps the folder's run time bounded even while a bug is open.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)


@st.composite
def tiny_instances(draw: st.DrawFn, with_pins: bool = False) -> dict[str, Any]:
    cells = draw(st.sampled_from([CELLS, CELLS, CELLS_FOREST]))
    cell_ids = [c["id"] for c in cells]
    n_people = draw(st.integers(4, 6))
    people = [
        {
            "id": f"p{i}",
            "cell": draw(st.sampled_from(cell_ids)),
            "party_member": draw(st.sampled_from([True, True, True, False])),
            "skills": draw(st.lists(st.sampled_from(SKILLS), max_size=2, unique=True)),
            "categories": draw(st.sampled_from(CATEGORY_SETS)),
            "hours": draw(st.sampled_from([0, 4, 6, 8, 8])),
            "max_deeds": draw(st.sampled_from([0, 1, 1, 2])),
            "max_lead": draw(st.sampled_from([0, 1, 1, 2])),
            "reach": draw(st.sampled_from(REACHES)),
            "available": draw(st.sampled_from(WINDOWS)),
            "household": draw(st.sampled_from([None, None, "h1", "h2"])),
        }
        for i in range(n_people)
    ]
    resources = [
        {
            "id": f"r{i}",
            "cell": draw(st.sampled_from(cell_ids)),
            "reach": draw(st.sampled_from(REACHES)),
            "kind": draw(st.sampled_from(["VENUE", "FUNDS"])),
            "categories": draw(st.sampled_from(CATEGORY_SETS)),
            "capacity": draw(st.sampled_from([0, 1, 2, 2])),
            "available": draw(st.sampled_from(WINDOWS)),
        }
        for i in range(draw(st.integers(1, 3)))
    ]
    needs = []
    for i in range(draw(st.integers(1, 4))):
        items = []
        if draw(st.integers(0, 2)) == 0:
            kind = draw(st.sampled_from(["VENUE", "FUNDS"]))
            items.append({"kind": kind, "quantity": draw(st.integers(1, 2))})
        needs.append(
            {
                "id": f"n{i}",
                "cell": draw(st.sampled_from(cell_ids)),
                "category": draw(st.sampled_from(["DAILY_LIFE", "SAFETY"])),
                "priority": draw(st.integers(1, 100)),
                "lead": draw(st.sampled_from([True, True, True, False])),
                "volunteers": draw(st.sampled_from([0, 0, 1, 1, 2])),
                "hours": draw(st.integers(1, 4)),
                "skills": draw(st.sampled_from([[], [], [], [], ["nursing"], ["legal"]])),
                "resources": items,
                "window": draw(st.sampled_from(WINDOWS)),
                "household": draw(st.sampled_from([None, None, "h1", "h3"])),
            }
        )
    forbid = []
    if draw(st.booleans()):
        forbid.append(
            {
                "need": draw(st.sampled_from([n["id"] for n in needs])),
                "person": draw(st.sampled_from([p["id"] for p in people])),
            }
        )
    pins: list[dict[str, str]] = []
    if with_pins:
        # Mostly pins that could hold on their own (a lead or member of a way to fulfil the need),
        # sometimes a random one; two pins may still clash with each other or with the limits.
        probe = BruteForce(
            {
                "cells": cells,
                "people": people,
                "resources": resources,
                "needs": needs,
                "forbid": forbid,
            }
        )
        feasible = [n for n in needs if probe.options(n)]
        for _ in range(draw(st.integers(1, 2))):
            if feasible and draw(st.integers(0, 3)) > 0:
                n = draw(st.sampled_from(feasible))
                lead, team, _, _ = draw(st.sampled_from(probe.options(n)))
                picks = ([("LEAD", lead)] if lead else []) + [("TEAM", p) for p in team]
                if picks:
                    role, who = draw(st.sampled_from(picks))
                    pins.append({"need": n["id"], "person": who, "role": role})
                    continue
            pins.append(
                {
                    "need": draw(st.sampled_from([n["id"] for n in needs])),
                    "person": draw(st.sampled_from([p["id"] for p in people])),
                    "role": draw(st.sampled_from(["LEAD", "TEAM"])),
                }
            )
    return {
        "version": 1,
        "cells": [dict(c) for c in cells],
        "people": people,
        "resources": resources,
        "needs": needs,
        "pins": pins,
        "forbid": forbid,
    }


@st.composite
def dense_instances(draw: st.DrawFn) -> dict[str, Any]:
    """Few eligibility filters, binding limits: people, hours and units are fought over, and
    several optimal priority sets differ only in distance."""
    cell_ids = [c["id"] for c in CELLS]
    people = [
        {
            "id": f"p{i}",
            "cell": draw(st.sampled_from(cell_ids)),
            "party_member": draw(st.sampled_from([True, True, False])),
            "skills": draw(st.sampled_from([[], [], ["nursing"], ["legal"]])),
            "hours": draw(st.integers(2, 6)),
            "max_deeds": draw(st.integers(1, 2)),
            "max_lead": draw(st.integers(0, 2)),
            "reach": draw(st.sampled_from([None, "VILLAGE", "BRANCH"])),
        }
        for i in range(draw(st.integers(4, 6)))
    ]
    resources = [
        {
            "id": f"r{i}",
            "cell": draw(st.sampled_from(cell_ids)),
            "kind": draw(st.sampled_from(["VENUE", "FUNDS"])),
            "capacity": draw(st.integers(1, 3)),
            "reach": draw(st.sampled_from([None, "BRANCH"])),
        }
        for i in range(draw(st.integers(1, 3)))
    ]
    needs = []
    for i in range(draw(st.integers(3, 5))):
        vol = draw(st.sampled_from([0, 1, 1, 2]))
        items = []
        if draw(st.booleans()):
            kind = draw(st.sampled_from(["VENUE", "FUNDS"]))
            items.append({"kind": kind, "quantity": draw(st.integers(1, 3))})
        needs.append(
            {
                "id": f"n{i}",
                "cell": draw(st.sampled_from(cell_ids)),
                "category": "DAILY_LIFE",
                "priority": draw(st.sampled_from([10, 20, 30, 40, 50, 50])),
                "lead": draw(st.sampled_from([True, True, True, False])),
                "volunteers": vol,
                "hours": draw(st.integers(1, 4)),
                "skills": draw(st.sampled_from([[], ["nursing"], ["legal"]])) if vol else [],
                "resources": items,
            }
        )
    return {"version": 1, "cells": CELLS, "people": people, "resources": resources, "needs": needs}


def _violations(inst: dict[str, Any], sol: dict[str, Any]) -> list[str]:
    return [str(v) for v in check(inst, sol).violations]


def _assert_valid_and_optimal(inst: dict[str, Any], sol: dict[str, Any]) -> None:
    """`sol` passes the checker and reaches the brute-force optimum (priority, then distance)."""
    assert sol["status"] == "OPTIMAL", sol.get("status")
    assert _violations(inst, sol) == []
    result = BruteForce(inst).solve()
    assert result is not None
    assert (sol["objective"]["priority"], sol["objective"]["distance"]) == result[:2]


@PROFILE
@given(tiny_instances())
def test_brute_force_optimum_passes_the_checker(inst: dict[str, Any]) -> None:
    bf = BruteForce(inst)
    result = bf.solve()
    assert result is not None  # no pins: doing nothing is always feasible
    sol = bf.as_solution(result)
    assert _violations(inst, sol) == []
    report = check(inst, sol)
    assert (report.priority, report.distance) == result[:2]


@settings(PROFILE, max_examples=120)
@given(tiny_instances())
def test_solve_is_valid_and_optimal(inst: dict[str, Any]) -> None:
    _assert_valid_and_optimal(inst, solve(inst, workers=1, seed=0))


@settings(PROFILE, max_examples=80)
@given(dense_instances())
def test_solve_is_optimal_on_competitive_instances(inst: dict[str, Any]) -> None:
    _assert_valid_and_optimal(inst, solve(inst, workers=2, seed=1))


@settings(PROFILE, max_examples=120)
@given(tiny_instances(with_pins=True))
def test_solve_with_pins_matches_brute_force(inst: dict[str, Any]) -> None:
    sol = solve(inst, workers=1, seed=0)
    result = BruteForce(inst).solve()
    if result is None:
        assert sol["status"] == "INFEASIBLE_PINS"
        assert sol.get("conflicts")
        return
    assert sol["status"] == "OPTIMAL", sol.get("status")
    assert _violations(inst, sol) == []
    assert (sol["objective"]["priority"], sol["objective"]["distance"]) == result[:2]


@settings(PROFILE, max_examples=40)
@given(st.one_of(tiny_instances(), dense_instances()))
def test_greedy_is_valid_and_never_beats_the_optimum(inst: dict[str, Any]) -> None:
    sol = solve(inst, strategy="greedy", workers=1, seed=0)
    assert sol["status"] in ("OPTIMAL", "FEASIBLE")
    assert _violations(inst, sol) == []
    result = BruteForce(inst).solve()
    assert result is not None
    assert sol["objective"]["priority"] <= result[0]
    assert sol["bound"]["priority"] >= result[0]
