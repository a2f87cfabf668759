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
from sandan.matching.tree import Tree

from .helpers import load_generator


class _Run:
    """What `lns` reads of a solver run: seed, workers, the clock, progress, stats."""

    def __init__(self) -> None:
        self.seed = 3
        self.workers = 2
        self.cancel = None
        self.stats: dict[str, Any] = {}
        self.reports: list[int] = []

    def stopped(self) -> bool:
        return False

    def left(self) -> float:
        return 600.0

    def report(self, phase: str, best: int, bound: float, force: bool = False) -> None:
        self.reports.append(best)


def _start() -> tuple[Problem, Assignment, list[list[int]]]:
    inst = parse_instance(load_generator().generate("town", 2))
    tree, arr = Tree(inst), build_arrays(inst)
    full = generate(inst, tree, arr)
    prob = Problem(inst, tree, arr, full, prune(full, arr, 20, 6, 10), group(inst), False)
    asg = Assignment(arr)
    greedy_fill(prob, Slices(prob), asg, priority_order(prob, range(len(inst.needs))))
    regs = lns.regions(prob, np.arange(len(inst.needs), dtype=np.int64))
    return prob, asg, regs


def _run_lns(monkeypatch: Any, slow_even: bool) -> tuple[Assignment, _Run, int]:
    prob, asg, regs = _start()
    start = asg.priority
    monkeypatch.setattr(lns, "MAX_HOODS", 10)
    solve_hood = lns._solve_hood
    calls = [0]

    def timed(*args: Any) -> Any:
        # Every other neighbourhood finishes late: the one launched after it finishes first.
        calls[0] += 1
        if slow_even and calls[0] % 2 == 0:
            time.sleep(0.4)
        return solve_hood(*args)

    monkeypatch.setattr(lns, "_solve_hood", timed)
    run = _Run()
    lns.lns(run, prob, regs, asg, float("inf"), {})  # type: ignore[arg-type]
    return asg, run, start


def test_pipelined_lns_does_not_depend_on_which_neighbourhood_finishes_first(
    monkeypatch: Any,
) -> None:
    plain, run, start = _run_lns(monkeypatch, slow_even=False)
    shuffled, _, _ = _run_lns(monkeypatch, slow_even=True)
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
    assert run.reports == sorted(run.reports)
