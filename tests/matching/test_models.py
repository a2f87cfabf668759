"""The CP-SAT sub-model written from arrays, and the LP's per-need rows."""

from __future__ import annotations

from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from sandan.matching import parse_instance
from sandan.matching.assignment import Assignment
from sandan.matching.cpmodel import SubModel
from sandan.matching.eligibility import build_arrays, generate
from sandan.matching.greedy import Slices, greedy_fill, priority_order
from sandan.matching.lp import _lp_part, capacities
from sandan.matching.pins import group
from sandan.matching.problem import PinSet, Problem
from sandan.matching.tree import Tree

from .helpers import load_generator


def _village(seed: int = 1) -> Problem:
    inst = parse_instance(load_generator().generate("village", seed))
    tree, arr = Tree(inst), build_arrays(inst)
    full = generate(inst, tree, arr)
    return Problem(inst, tree, arr, full, full, group(inst), True)


def _solve(model: SubModel, **params: Any) -> tuple[Any, cp_model.CpSolver]:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20.0
    for k, v in params.items():
        setattr(solver.parameters, k, v)
    return solver.solve(model.m), solver


def test_a_hinted_answer_reads_back_unchanged() -> None:
    # Hint and read map the same variables both ways: fixing every variable to the greedy's deeds
    # must give those deeds back, units, members and distances included.
    prob = _village()
    needs = list(range(prob.n_needs))
    asg = Assignment(prob.arr)
    greedy_fill(prob, Slices(prob), asg, priority_order(prob, needs))
    assert len(asg.deeds) > 10
    model = SubModel(prob, needs, Assignment(prob.arr))
    model.hint(asg.deeds)
    model.maximize_priority()
    status, solver = _solve(model, fix_variables_to_their_hinted_value=True)
    assert status == cp_model.OPTIMAL
    got = model.read(solver)
    assert got == asg.deeds
    assert round(solver.objective_value) == asg.priority


def test_only_usable_pairs_become_variables() -> None:
    prob = _village()
    arr = prob.arr
    left = Assignment(arr)
    n = next(
        i
        for i in range(prob.n_needs)
        if arr.n_lead[i] and len(prob.cands.lead.ent[prob.cands.lead.of(i)]) > 1
    )
    gone = int(prob.cands.lead.ent[prob.cands.lead.of(n)][0])
    left.lead_left[gone] = 0  # this person may lead no more deeds
    left.hours_left[:] = 0  # and nobody has hours left for any team
    model = SubModel(prob, [n], left)
    assert gone not in model.l_ent.tolist()
    assert len(model.l_ent) == len(prob.cands.lead.ent[prob.cands.lead.of(n)]) - 1
    assert len(model.t_ent) == 0 or arr.n_hours[n] == 0


def test_a_pinned_lead_without_a_usable_pair_makes_the_model_infeasible() -> None:
    # Another lead must never stand in for a pinned one: not when the pinned person has no lead
    # capacity left, and not when they are no candidate of the need at all.
    prob = _village()
    arr, lead = prob.arr, prob.cands.lead

    def status(pinned: int, left: Assignment) -> Any:
        pins = {n: PinSet(lead=pinned)}
        model = SubModel(
            Problem(prob.inst, prob.tree, arr, prob.full, prob.cands, pins, True), [n], left
        )
        model.maximize_priority()
        return _solve(model)[0]

    n = next(i for i in range(prob.n_needs) if arr.n_lead[i] and lead.ptr[i + 1] > lead.ptr[i] + 1)
    candidate = int(lead.ent[lead.of(n)][0])
    stranger = next(
        p for p in range(len(arr.p_lead)) if arr.p_lead[p] > 0 and p not in lead.ent[lead.of(n)]
    )
    assert status(candidate, Assignment(arr)) == cp_model.OPTIMAL
    assert status(stranger, Assignment(arr)) == cp_model.INFEASIBLE
    spent = Assignment(arr)
    spent.lead_left[candidate] = 0
    assert status(candidate, spent) == cp_model.INFEASIBLE


def test_lp_solution_keeps_every_need_row() -> None:
    # The LP's per-need rows, built as one sparse matrix: a fulfilled fraction y of a need has
    # y leads, volunteers * y members, y holders of each skill and q * y units of each kind.
    prob = _village()
    arr = prob.arr
    part = _lp_part(prob, np.arange(prob.n_needs), capacities(arr), 10.0)
    (ln, _, lv), (tn, te, tv), (rn, re_, rv) = part.uses
    y = np.array([part.value[n] for n in range(prob.n_needs)])
    assert y.sum() > 1
    eps = 1e-6
    lead = np.bincount(ln, weights=lv, minlength=prob.n_needs)
    assert np.allclose(lead[arr.n_lead], y[arr.n_lead], atol=eps)
    team = np.bincount(tn, weights=tv, minlength=prob.n_needs)
    assert np.allclose(team, arr.n_vol * y, atol=eps)
    for n in range(prob.n_needs):
        members = tn == n
        for s in arr.n_skills[n]:
            holds = np.array([s in arr.p_skills[p] for p in te[members]], dtype=bool)
            assert tv[members][holds].sum() >= y[n] - eps
        for k, q in arr.n_items[n]:
            kind = (rn == n) & (arr.r_kind[re_] == k)
            assert abs(rv[kind].sum() - q * y[n]) < eps
