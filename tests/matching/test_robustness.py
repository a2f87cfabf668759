"""Regressions found by the robustness sweep (benchmarks/shapes_sweep.py): each test is one bug.

- Numbers too large for 64-bit arrays (a capacity of 1e30) ended in an internal error; they are
  refused with a message naming the field, and the largest accepted values solve correctly.
- A replay record whose entry cannot be followed (a component's record `null`) ran that
  component without a clock, for ever; a malformed record is refused up front.
- `--time-limit` and `--workers` accepted values that make no sense (negative, zero).
- The Lagrangian bound ignored a requested skill that nobody holds (shape `noskills`: the
  reported bound 21% above the LP); such needs now cost infinitely much.
- Components were found by label propagation in numpy (2 s on a town whose people reach the
  whole town); SciPy's connected components give the same components in the same order.
- Pins placed over every eligible pair took seconds on a town whose people reach the whole town
  (the time limit overrun by 2 s); they are placed over the nearest candidates first, and over
  all pairs only when the nearest cannot hold them: both ways give a pinned, valid answer.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sandan.matching import parse_instance, solve
from sandan.matching.bounds import lagrangian_bound
from sandan.matching.check import check
from sandan.matching.cli import main
from sandan.matching.components import components
from sandan.matching.eligibility import build_arrays, generate
from sandan.matching.fields import COUNT_MAX, HOURS_MAX, PRIORITY_MAX
from sandan.matching.pins import group
from sandan.matching.problem import Problem
from sandan.matching.tree import Tree

from .helpers import deeds_by_need, instance, need, person, resource


def _base() -> dict[str, Any]:
    return instance(
        people=[person("p1", "G1"), person("p2", "G2", party_member=False, max_lead=0)],
        needs=[
            need("n1", "G1", volunteers=1, resources=[{"kind": "VENUE", "quantity": 1}]),
            need("n2", "G2"),
        ],
        resources=[resource("r1", "B1")],
    )


@pytest.mark.parametrize(
    ("where", "key", "value", "path"),
    [
        ("resources", "capacity", 10**30, "resources[0].capacity"),
        ("needs", "priority", PRIORITY_MAX + 1, "needs[0].priority"),
        ("people", "hours", 1e308, "people[0].hours"),
        ("people", "max_deeds", 10**15, "people[0].max_deeds"),
        ("needs", "volunteers", COUNT_MAX + 1, "needs[0].volunteers"),
    ],
)
def test_numbers_too_large_are_refused_by_name(
    where: str, key: str, value: Any, path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = _base()
    d[where][0][key] = value
    sol = solve(copy.deepcopy(d), time_limit=5)
    assert sol["status"] == "INVALID_INSTANCE"
    assert [e["path"] for e in sol["errors"]] == [path]
    assert "at most" in str(sol["errors"][0]["message"])
    f = tmp_path / "inst.json"
    f.write_text(json.dumps(d), encoding="utf-8")
    assert main(["solve", str(f), "-o", str(tmp_path / "sol.json")]) == 2
    err = capsys.readouterr().err
    assert path in err and "internal error" not in err


def test_the_largest_accepted_numbers_solve() -> None:
    d = _base()
    d["resources"][0]["capacity"] = COUNT_MAX
    d["needs"][0]["resources"] = [{"kind": "VENUE", "quantity": COUNT_MAX}]
    d["needs"][0]["priority"] = PRIORITY_MAX
    d["needs"][1]["priority"] = PRIORITY_MAX
    for p in d["people"]:
        p.update(hours=HOURS_MAX, max_deeds=COUNT_MAX)
    d["people"][0]["max_lead"] = COUNT_MAX
    sol = solve(copy.deepcopy(d), time_limit=10)
    assert sol["status"] == "OPTIMAL"
    assert check(d, sol).ok
    # p1 leads both (two leads allowed), p2 joins n1's team: everything fits.
    assert sol["objective"]["priority"] == 2 * PRIORITY_MAX
    assert deeds_by_need(sol)["n1"]["resources"] == [{"resource": "r1", "quantity": COUNT_MAX}]


def _replay_record() -> tuple[dict[str, Any], dict[str, Any]]:
    d = _base()
    sol = solve(copy.deepcopy(d), time_limit=5)
    assert sol["status"] == "OPTIMAL"
    return d, sol["stats"]["work"]


@pytest.mark.parametrize(
    "edit",
    [
        lambda w: w.update(large=[None]),
        lambda w: w.update(large=[{"lp": "x", "regions": 1, "lns": 1, "parallel": 1}]),
        lambda w: w.update(large=[{"lp": 1, "regions": 1, "lns": 1, "parallel": 0, "dropped": []}]),
        lambda w: w.update(exact=["a"]),
        lambda w: w.update(parts=[1]),
    ],
)
def test_a_malformed_work_record_is_refused(
    edit: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d, work = _replay_record()
    edit(work)
    inst = tmp_path / "inst.json"
    inst.write_text(json.dumps(d), encoding="utf-8")
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"stats": {"work": work}}), encoding="utf-8")
    assert main(["solve", str(inst), "--replay", str(old), "-o", str(tmp_path / "s.json")]) == 1
    err = capsys.readouterr().err
    assert "cannot replay" in err and "work" in err and "internal error" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--time-limit", "-3"],
        ["--time-limit", "0"],
        ["--time-limit", "nan"],
        ["--workers", "0"],
        ["--workers", "-2"],
    ],
)
def test_senseless_limits_are_usage_errors(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "inst.json"
    f.write_text(json.dumps(_base()), encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["solve", str(f), *argv])
    assert exc.value.code == 2
    assert argv[0] in capsys.readouterr().err


def _pinned_crowd(volunteers: int) -> dict[str, Any]:
    """One pinned need asking for `volunteers` team members among 60 people of its group (the
    nearest candidates keep 40 members per need), beside needs that compete for them."""
    people = [person("lead", "G1", max_deeds=0)]
    people += [person(f"p{i}", "G1", party_member=False, max_lead=0) for i in range(60)]
    needs = [need("big", "G1", volunteers=volunteers, priority=5)]
    needs += [need(f"s{i}", "G2", volunteers=1, lead=False, priority=60) for i in range(3)]
    return instance(people, needs, pins=[{"need": "big", "person": "lead", "role": "LEAD"}])


@pytest.mark.parametrize("volunteers", [10, 45])
def test_pins_hold_over_the_nearest_candidates_and_beyond(volunteers: int) -> None:
    """10 volunteers fit among the nearest candidates; 45 need the fallback over all pairs."""
    d = _pinned_crowd(volunteers)
    sol = solve(copy.deepcopy(d), time_limit=20)
    assert sol["status"] in ("OPTIMAL", "FEASIBLE")
    assert check(d, sol).ok
    big = deeds_by_need(sol)["big"]
    assert big["lead"] == "lead" and len(big["team"]) == volunteers


def _problem(d: dict[str, Any]) -> Problem:
    inst = parse_instance(d)
    tree, arr = Tree(inst), build_arrays(inst)
    full = generate(inst, tree, arr)
    return Problem(inst, tree, arr, full, full, group(inst), True)


def test_the_bound_counts_no_need_whose_skill_nobody_holds() -> None:
    prob = _problem(
        instance(
            people=[person("p1", "G1"), person("p2", "G1", skills=["cooking"])],
            needs=[
                need("n1", "G1", volunteers=1, skills=["legal"], priority=70),
                need("n2", "G1", lead=False, skills=["cooking"], priority=20),  # no team
                need("n3", "G1", volunteers=1, priority=30),
            ],
        )
    )
    free = np.zeros(2)
    bound = lagrangian_bound(prob, prob.full, np.arange(3), free, free, free, np.zeros(0))
    assert bound == 30.0


def test_components_are_numbered_by_their_smallest_need() -> None:
    people = [person("a", "G1", reach="GROUP"), person("b", "G2", reach="GROUP")]
    needs = [need("n0", "G2"), need("n1", "G1"), need("n2", "G2"), need("x", "B1")]
    prob = _problem(instance(people, needs))
    comps = components(prob.full, 4, 2)
    assert [c.tolist() for c in comps] == [[0, 2], [1], [3]]
