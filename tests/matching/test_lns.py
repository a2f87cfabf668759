"""The pipelined LNS: its answer depends on the seed and the number of neighbourhoods only."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from sandan.matching import lns, parse_instance
from sandan.matching.assignment import Assignment
from sandan.matching.eligibility import build_arrays, generate, prune
from sandan.matching.greedy import Slices, greedy_fill, priority_order
from sandan.matching.pins import group
from sandan.matching.problem import Problem
from sandan.matching.progress import Progress
from sandan.matching.run import Run, empty_work
from sandan.matching.tree import Tree, regions

from .helpers import load_generator


def _start() -> tuple[Problem, Assignment, list[list[int]]]:
    inst = parse_instance(load_generator().generate("town", 2))
    tree, arr = Tree(inst), build_arrays(inst)
    full = generate(inst, tree, arr)
    prob = Problem(inst, tree, arr, full, prune(full, arr, 20, 6, 10), group(inst), False)
    asg = Assignment(arr)
    greedy_fill(prob, Slices(prob), asg, priority_order(prob, range(len(inst.needs))))
    regs = regions(tree, arr.n_cell, np.arange(len(inst.needs), dtype=np.int64))
    return prob, asg, regs


def _run_lns(monkeypatch: Any, slow_even: bool) -> tuple[Assignment, Run, list[int], int]:
    prob, asg, regs = _start()
    start = asg.priority
    solve_hood = lns._solve_hood
    calls = [0]

    def timed(*args: Any) -> Any:
        # Every other neighbourhood finishes late: the one launched after it finishes first.
        calls[0] += 1
        if slow_even and calls[0] % 2 == 0:
            time.sleep(0.4)
        return solve_hood(*args)

    monkeypatch.setattr(lns, "_solve_hood", timed)
    reports: list[int] = []

    def progress(event: Progress) -> None:
        reports.append(event.best)

    # A replaying run: no clock, the LNS runs exactly the rounds it is given.
    run = Run(prob.inst, time.monotonic(), 600.0, 2, 3, progress, None, replay=empty_work())
    assert lns.lns(run, prob, regs, asg, 1e12, {}, rounds=10) == (10, 2)
    return asg, run, reports, start


def test_pipelined_lns_does_not_depend_on_which_neighbourhood_finishes_first(
    monkeypatch: Any,
) -> None:
    plain, run, reports, start = _run_lns(monkeypatch, slow_even=False)
    shuffled, _, _, _ = _run_lns(monkeypatch, slow_even=True)
    assert run.stats["lns"]["iterations"] == 10
    assert run.stats["lns"]["improved"] >= 1  # it did something to compare
    assert plain.priority > start
    assert plain.deeds == shuffled.deeds
    # Once every neighbourhood is merged, no capacity is still withheld or over-used: what is
    # left is exactly what the deeds leave.
    assert plain.is_consistent()
    again = Assignment(plain.arr)
    for n, d in plain.deeds.items():
        again.add(n, d)
    for a, b in (
        (again.lead_left, plain.lead_left),
        (again.deeds_left, plain.deeds_left),
        (again.hours_left, plain.hours_left),
        (again.cap_left, plain.cap_left),
    ):
        assert np.array_equal(a, b)
    # Progress counts the deeds of the neighbourhoods in flight: it never goes down.
    assert reports == sorted(reports)
