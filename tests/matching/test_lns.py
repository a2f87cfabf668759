"""The pipelined LNS: its answer depends on the seed and the number of neighbourhoods only."""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np

from sandan.matching import lns
from sandan.matching.assignment import Assignment
from sandan.matching.progress import Progress
from sandan.matching.run import Run, empty_work

from .helpers import town_state

ROUNDS = 10
SEED = 3


def _run_lns(monkeypatch: Any, shuffle: bool) -> tuple[Assignment, Run, list[int], int, list[int]]:
    """Ten LNS rounds, two in flight; with `shuffle`, each even round finishes only after the
    round launched after it (not a sleep: it holds the round until its successor is done, so the
    order is the same however loaded the machine). Returns the rounds in the order they ended."""
    prob, asg, regs = town_state(2)
    start = asg.priority
    solve_hood = lns._solve_hood
    ended = [threading.Event() for _ in range(ROUNDS)]
    order: list[int] = []
    stuck = threading.Event()  # a successor never came: hold no more rounds (the test fails)

    def hold(*args: Any) -> Any:
        i = (args[4] - SEED) // 31  # the round, from the seed lns gives it (seed + round * 31)
        out = solve_hood(*args)
        # The last round has no successor.
        held = shuffle and i % 2 == 0 and i + 1 < ROUNDS and not stuck.is_set()
        if held and not ended[i + 1].wait(timeout=60):
            stuck.set()
        order.append(i)
        ended[i].set()
        return out

    monkeypatch.setattr(lns, "_solve_hood", hold)
    reports: list[int] = []

    def progress(event: Progress) -> None:
        reports.append(event.best)

    # A replaying run: no clock, the LNS runs exactly the rounds it is given.
    run = Run(prob.inst, time.monotonic(), 600.0, 2, SEED, progress, None, replay=empty_work())
    assert lns.lns(run, prob, regs, asg, 1e12, {}, rounds=ROUNDS) == (ROUNDS, 2)
    return asg, run, reports, start, order


def test_pipelined_lns_does_not_depend_on_which_neighbourhood_finishes_first(
    monkeypatch: Any,
) -> None:
    plain, run, reports, start, _ = _run_lns(monkeypatch, shuffle=False)
    shuffled, _, _, _, ended = _run_lns(monkeypatch, shuffle=True)
    # Two rounds were in flight at a time, and each odd one ended before the even one before it.
    assert ended == [1, 0, 3, 2, 5, 4, 7, 6, 9, 8]
    assert run.stats["lns"]["iterations"] == ROUNDS
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
