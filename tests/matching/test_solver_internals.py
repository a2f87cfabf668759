"""Focused tests of the optimiser's internals (tree arrays, candidates, components, bounds)."""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import pytest

from sandan.matching import parse_instance, solve
from sandan.matching.assignment import Assignment
from sandan.matching.bounds import lagrangian_bound
from sandan.matching.components import components
from sandan.matching.eligibility import build_arrays, generate
from sandan.matching.pins import group
from sandan.matching.problem import Problem
from sandan.matching.prune import prune
from sandan.matching.run import EXACT_SKIPPED, Run
from sandan.matching.tree import Tree

from .helpers import fixed_work, load_generator, town_state


def _gen(scale: str, seed: int) -> dict[str, Any]:
    out: dict[str, Any] = load_generator().generate(scale, seed)
    return out


def _cells() -> list[dict[str, Any]]:
    return [
        {"id": "T", "parent": None, "level": "TOWN"},
        {"id": "V", "parent": "T", "level": "VILLAGE"},
        {"id": "B1", "parent": "V", "level": "BRANCH"},
        {"id": "B2", "parent": "V", "level": "BRANCH"},
        {"id": "G1", "parent": "B1", "level": "GROUP"},
        {"id": "G2", "parent": "B2", "level": "GROUP"},
        {"id": "X", "parent": "T", "level": "GROUP"},  # skips levels
    ]


def test_tree_distance_and_reach() -> None:
    inst = parse_instance({"version": 1, "cells": _cells()})
    t = Tree(inst)
    ix = {c.id: i for i, c in enumerate(inst.cells)}
    a = np.array([ix["G1"], ix["G1"], ix["G1"], ix["X"]])
    b = np.array([ix["G2"], ix["G1"], ix["T"], ix["G2"]])
    assert t.distance(a, b).tolist() == [4, 0, 3, 4]
    # Reach VILLAGE from X (directly under the town): no village above it, so the town.
    cells = np.array([ix["G1"], ix["X"], ix["G1"]])
    reach = np.array([2, 2, -1])
    assert t.reach_cell(cells, reach).tolist() == [ix["V"], ix["T"], ix["T"]]


def test_invalid_instance_names_every_entry() -> None:
    cells = [*_cells(), {"id": "C1", "parent": "C2", "level": "GROUP"}]
    cells += [{"id": "C2", "parent": "C1", "level": "BRANCH"}]
    bad = {
        "version": 1,
        "cells": cells,
        "people": [{"id": "p1", "cell": "nowhere", "hours": -1}],
        "resources": [{"id": "r1", "cell": "G1", "kind": "ROCKET", "capacity": 1}],
        "needs": [
            {"id": "n1", "cell": "G1", "category": "DAILY_LIFE", "priority": 0},
            {
                "id": "n1",
                "cell": "G1",
                "category": "X",
                "priority": 5,
                "window": ["2026-06-02", "2026-06-01"],
            },
        ],
        "pins": [{"need": "n9", "person": "p1", "role": "LEAD"}],
    }
    sol = solve(bad)
    assert sol["status"] == "INVALID_INSTANCE"
    paths = {e["path"] for e in sol["errors"]}
    for p in (
        "people[0].cell",
        "people[0].hours",
        "resources[0].kind",
        "needs[0].priority",
        "needs[1].id",
        "needs[1].category",
        "needs[1].window",
        "pins[0].need",
    ):
        assert p in paths, (p, paths)
    assert any("cycle" in e["message"] for e in sol["errors"])


def test_components_split_independent_villages() -> None:
    inst = parse_instance(_gen("town", 3))
    tree, arr = Tree(inst), build_arrays(inst)
    full = generate(inst, tree, arr)
    comps = components(full, len(inst.needs), len(inst.people))
    assert sorted(int(n) for c in comps for n in c) == list(range(len(inst.needs)))
    # Town-wide people and resources couple the villages into one big component.
    assert max(len(c) for c in comps) > 0.9 * len(inst.needs)
    # Pruning keeps every need's nearest candidates, and never adds pairs.
    pr = prune(full, arr, 5, 2, 3)
    assert len(pr.team) < len(full.team)
    assert (np.diff(pr.team.ptr) <= np.diff(full.team.ptr)).all()


def test_lagrangian_bound_is_above_the_optimum() -> None:
    d = _gen("village", 2)
    exact = solve(d, workers=1)
    assert exact["status"] == "OPTIMAL"
    inst = parse_instance(d)
    tree, arr = Tree(inst), build_arrays(inst)
    full = generate(inst, tree, arr)
    prob = Problem(inst, tree, arr, full, full, group(inst), True)
    comp = np.arange(len(inst.needs))
    rng = np.random.default_rng(0)
    for scale in (0.0, 1.0, 10.0):
        u = [rng.random(len(inst.people)) * scale for _ in range(3)]
        ur = rng.random(len(inst.resources)) * scale * 5
        b = lagrangian_bound(prob, full, comp, u[0], u[1], u[2] / 10, ur)
        assert b >= exact["objective"]["priority"] - 1e-6
    assert Assignment(arr).is_consistent()


def test_deterministic_and_cancellable() -> None:
    d = _gen("village", 5)
    a = solve(d, workers=2, seed=3)
    b = solve(d, workers=2, seed=3)
    assert a["objective"] == b["objective"]
    assert a["deeds"] == b["deeds"]
    cancel = threading.Event()
    cancel.set()
    c = solve(_gen("town", 1), cancel=cancel, time_limit=20)
    assert c["status"] == "FEASIBLE"
    assert c["bound"]["priority"] >= c["objective"]["priority"] > 0
    # Cancelled before it started: no search ran (no exact batch, region or LNS round), however
    # long the greedy answer took to write.
    work = c["stats"]["work"]
    assert work["exact"] and set(work["exact"]) == {EXACT_SKIPPED}
    assert [(w["regions"], w["lns"]) for w in work["large"]] == [(-1, 0)]


def test_infeasible_pins_are_named() -> None:
    d = _gen("village", 1)
    n0 = d["needs"][0]["id"]
    lead_ok = [p["id"] for p in d["people"] if p["party_member"] and p.get("max_lead", 0) >= 1]
    d["pins"] = [
        {"need": n0, "person": lead_ok[0], "role": "LEAD"},
        {"need": n0, "person": lead_ok[1], "role": "LEAD"},
    ]
    sol = solve(d)
    assert sol["status"] == "INFEASIBLE_PINS"
    assert {c["person"] for c in sol["conflicts"]} == set(lead_ok[:2])


def test_holders_extend_a_neighbourhood_with_the_deeds_holding_its_contested_capacity() -> None:
    import random

    from sandan.matching.lns import _add_holders

    prob, asg, regs = town_state(1)
    hoods = [sorted(regs[0] + regs[1]), sorted(regs[2] + regs[3])]
    c = prob.cands
    by_people = 0
    for rng in (random.Random(5), random.Random(9)):
        out = _add_holders(prob, asg, hoods, 25, rng, 10)
        assert len(out) == 2
        seen: set[int] = set()
        for h, ext in zip(hoods, out, strict=True):
            assert set(h) <= set(ext) and ext == sorted(ext)
            extra = set(ext) - set(h)
            assert not extra & set(prob.pins)
            assert not extra & seen  # neighbourhoods solved together never share a need
            seen |= set(ext)
            unmatched = [n for n in h if n not in asg.deeds]
            res = {int(r) for n in unmatched for r in c.res.ent[c.res.ptr[n] : c.res.ptr[n + 1]]}
            people = {
                int(p)
                for n in unmatched
                for pairs in (c.lead, c.team)
                for p in pairs.ent[pairs.ptr[n] : pairs.ptr[n + 1]]
            }
            holds_res = {m for m in extra if {r for r, _ in asg.deeds[m].res} & res}
            holds_people = {m for m in extra if {asg.deeds[m].lead, *asg.deeds[m].team} & people}
            # Every extra deed holds a resource or a person an unmatched need could use: up to
            # 25 for resources, then up to 10 more for people.
            assert holds_res | holds_people == extra
            assert len(holds_res) > 0 and len(extra) <= 25 + 10
            by_people += len(extra - holds_res)
    assert by_people > 0  # people elsewhere were freed too, not only resources
    again = _add_holders(prob, asg, hoods, 25, random.Random(5), 10)
    assert again == _add_holders(prob, asg, hoods, 25, random.Random(5), 10)
    # Without a people allowance, only resource holders are freed: each extra deed holds a
    # resource an unmatched need of its neighbourhood could use.
    for h, ext in zip(hoods, _add_holders(prob, asg, hoods, 25, random.Random(5)), strict=True):
        extra = set(ext) - set(h)
        unmatched = [n for n in h if n not in asg.deeds]
        res = {int(r) for n in unmatched for r in c.res.ent[c.res.ptr[n] : c.res.ptr[n + 1]]}
        assert 0 < len(extra) <= 25
        assert all({r for r, _ in asg.deeds[m].res} & res for m in extra)


def test_holders_index_follows_the_deeds_the_lns_frees_and_merges() -> None:
    import random

    from sandan.matching.holders import Holders
    from sandan.matching.lns import _add_holders

    prob, asg, regs = town_state(1)
    holding = Holders(asg.deeds)
    freed = {n: asg.deeds[n] for n in regs[0] + regs[1] + regs[2] if n in asg.deeds}
    assert freed
    for n, d in freed.items():
        asg.remove(n)
        holding.remove(n, d)
    for n, d in sorted(freed.items())[::2]:  # half of them merged back
        asg.add(n, d)
        holding.add(n, d)

    def held(index: dict[int, set[int]]) -> dict[int, set[int]]:
        return {k: v for k, v in index.items() if v}

    fresh = Holders(asg.deeds)
    assert held(holding.of_resource) == held(fresh.of_resource)
    assert held(holding.of_person) == held(fresh.of_person)
    # The LNS passes its index; the neighbourhoods are those the deeds themselves give.
    hoods = [sorted(regs[0] + regs[1]), sorted(regs[3] + regs[4])]
    given = _add_holders(prob, asg, hoods, 25, random.Random(3), 10, holding)
    assert given == _add_holders(prob, asg, hoods, 25, random.Random(3), 10)


def test_large_component_answer_is_valid_and_improves_on_the_decomposition() -> None:
    from sandan.matching.check import check

    d = _gen("town", 2)
    # The work is fixed (LP, every region, four LNS rounds), not what fits in a time limit.
    work = fixed_work(d, lns_rounds=4)
    sol = solve(d, workers=2, seed=0, replay=work)
    assert check(d, sol).ok
    st = sol["stats"]
    assert st["lns"]["iterations"] == 4
    assert st["work"] == work
    assert st["final_fill"] >= 0
    served = {x["need"] for x in sol["deeds"]}
    assert (
        sum(n["priority"] for n in d["needs"] if n["id"] in served) == sol["objective"]["priority"]
    )
    # LNS keeps a neighbourhood's answer only when it is better, and the final fill only adds:
    # the answer is never below the decomposition it started from.
    assert sol["objective"]["priority"] >= st["decompose"]["priority"]
    assert sol["bound"]["priority"] >= sol["objective"]["priority"]


def test_lp_parts_solved_in_parallel_give_the_sequential_answer(monkeypatch: Any) -> None:
    from sandan.matching import lp

    inst = parse_instance(_gen("town", 3))
    tree, arr = Tree(inst), build_arrays(inst)
    full = generate(inst, tree, arr)
    prob = Problem(inst, tree, arr, full, prune(full, arr, 10, 4, 6), group(inst), False)
    comp = max(components(full, len(inst.needs), len(inst.people)), key=len)
    monkeypatch.setattr(lp, "LP_PART_NEEDS", len(comp) // 3)
    monkeypatch.setattr(lp, "LP_PART_TARGET", len(comp) // 20)
    runs = [Run(inst, time.monotonic(), 600.0, w, 0, None, None) for w in (1, 2)]
    one = lp.lp_guidance(runs[0], prob, comp, Assignment(arr))
    two = lp.lp_guidance(runs[1], prob, comp, Assignment(arr))
    for run in runs:
        run.close()
    assert one.stats["parts"] > 1
    assert one.value == two.value
    assert one.bound == two.bound
    assert one.res_use is not None and two.res_use is not None
    for a, b in zip(one.res_use, two.res_use, strict=True):
        assert np.array_equal(a, b)


def _lp_of(d: dict[str, Any]) -> tuple[Problem, Any]:
    from sandan.matching.lp import _lp_part, capacities

    inst = parse_instance(d)
    tree, arr = Tree(inst), build_arrays(inst)
    full = generate(inst, tree, arr)
    prob = Problem(inst, tree, arr, full, full, group(inst), True)
    return prob, _lp_part(prob, np.arange(len(inst.needs)), capacities(arr), 10.0)


def test_lp_keeps_a_resource_row_that_has_fewer_pairs_than_units() -> None:
    # Two needs want 4 and 6 units of the one 6-unit fund: two pair variables, each able to carry
    # its need's whole quantity, so the capacity row binds although 2 pairs < 6 units. The LP
    # optimum is y1 = 1 (50 for 4 units, the better ratio) and y2 = 2/6 of 40.
    d = {
        "version": 1,
        "cells": [{"id": "T", "parent": None, "level": "TOWN"}],
        "resources": [{"id": "r", "cell": "T", "kind": "FUNDS", "capacity": 6}],
        "needs": [
            {"id": f"n{q}", "cell": "T", "category": "OTHER", "priority": p, "lead": False,
             "resources": [{"kind": "FUNDS", "quantity": q}]}
            for q, p in ((4, 50), (6, 40))
        ],
    }  # fmt: skip
    _, part = _lp_of(d)
    assert part.stats["lp_value"] == pytest.approx(50 + 40 * 2 / 6, abs=0.01)  # stats round to 0.01


def test_lp_solution_respects_every_capacity() -> None:
    # The LP is the bound the benchmark divides by and the guide of the decomposition: its pair
    # values must keep every capacity of the instance, as any relaxation of the problem does.
    prob, part = _lp_of(_gen("village", 1))
    arr = prob.arr
    (_, le, lv), (tn, te, tv), (_, re_, rv) = part.uses
    eps = 1e-6
    assert (np.bincount(le, weights=lv, minlength=len(arr.p_lead)) <= arr.p_lead + eps).all()
    assert (np.bincount(te, weights=tv, minlength=len(arr.p_deeds)) <= arr.p_deeds + eps).all()
    hours = np.bincount(te, weights=tv * arr.n_hours[tn], minlength=len(arr.p_hours))
    assert (hours <= arr.p_hours + eps).all()
    assert (np.bincount(re_, weights=rv, minlength=len(arr.r_cap)) <= arr.r_cap + eps).all()
    # ... and the village's proved optimum is below it.
    assert part.stats["lp_value"] >= solve(_gen("village", 1), workers=1)["objective"]["priority"]
