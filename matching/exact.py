"""Small components, solved exactly by CP-SAT in batches; the split into small and large ones.

Small components are batched into one model each (still exact: they share nothing, so the
lexicographic optimum of the batch is each component's optimum), which saves the fixed cost of a
CP-SAT call per tiny component. A batch's answer is kept only when CP-SAT proved it (priority,
then distance); one cut short by the clock keeps the greedy answer, so each batch's outcome is
one of three codes in the run's work record, and a replay repeats it exactly.
"""

from __future__ import annotations

import time

import numpy as np

from .assignment import Assignment
from .cpsat import Search, solve_exact
from .eligibility import IntArray
from .greedy import Slices, greedy_fill, priority_order
from .problem import Problem
from .run import EXACT_BOTH, EXACT_PRIORITY, EXACT_SKIPPED, UNLIMITED, Run

# A component this small is solved exactly (its whole candidate model is cheap to build).
EXACT_MAX_NEEDS = 400
EXACT_MAX_PAIRS = 60_000


def split_components(prob: Problem, comps: list[IntArray]) -> tuple[list[IntArray], list[IntArray]]:
    """(batches of small components, large components), each in component order."""
    c = prob.full
    n = prob.n_needs
    pair_count = np.bincount(c.team.need, minlength=n) + np.bincount(c.lead.need, minlength=n)
    small: list[IntArray] = []
    large: list[IntArray] = []
    batch: list[IntArray] = []
    batch_needs = batch_pairs = 0
    for comp in comps:
        pairs = int(pair_count[comp].sum())
        if len(comp) > EXACT_MAX_NEEDS or pairs > EXACT_MAX_PAIRS:
            large.append(comp)
            continue
        if batch and (
            batch_needs + len(comp) > EXACT_MAX_NEEDS or batch_pairs + pairs > EXACT_MAX_PAIRS
        ):
            small.append(np.concatenate(batch))
            batch, batch_needs, batch_pairs = [], 0, 0
        batch.append(comp)
        batch_needs += len(comp)
        batch_pairs += pairs
    if batch:
        small.append(np.concatenate(batch))
    return small, large


def _assignable(prob: Problem, needs: list[int]) -> bool:
    """Whether anything at all can be assigned to these needs (else all unmatched, proved)."""
    arr, c = prob.arr, prob.full
    return any(
        c.lead.ptr[n + 1] > c.lead.ptr[n]
        or c.team.ptr[n + 1] > c.team.ptr[n]
        or c.res.ptr[n + 1] > c.res.ptr[n]
        or (not arr.n_lead[n] and arr.n_vol[n] == 0 and not arr.n_items[n])
        for n in needs
    )


def solve_small(
    run: Run, prob: Problem, small: list[IntArray], sl: Slices, asg: Assignment, budget: float
) -> tuple[float, bool]:
    """Solve the batches into `asg` within `budget` seconds; return (bound, all proved optimal).

    Progress reports the whole instance's bound: proved bounds of the batches done, single-need
    bounds of the rest (`run.bound_offset` holds the large components' share)."""
    optimal = True
    bound = 0.0
    n_small_needs = sum(len(x) for x in small)
    t_start = time.monotonic()
    pending = sum(run.alone_bound(prob, b) for b in small)
    for comp in small:
        needs = [int(n) for n in comp]
        pending -= run.alone_bound(prob, needs)
        if not _assignable(prob, needs):
            continue
        index = len(run.work["exact"])
        code = run.replayed("exact", index)
        # The hint keeps the pinned deeds placed up front, so falling back on it keeps pins.
        hint_asg = asg.copy()
        greedy_fill(prob, sl, hint_asg, priority_order(prob, needs))
        hint = {n: hint_asg.deeds[n] for n in needs if n in hint_asg.deeds}
        for n in needs:
            if n in asg.deeds:
                asg.remove(n)
        spent = time.monotonic() - t_start
        share = max(0.05, (budget - spent) * len(needs) / max(1, n_small_needs))
        res = None
        if (code is None and not run.stopped()) or (code is not None and code > EXACT_SKIPPED):
            search = Search(
                hint,
                UNLIMITED if code is not None else min(share, max(0.05, run.left())),
                1,  # workers; see cpsat._params: one LP-heavy worker is fastest here
                run.seed,
                run.halt,
            )
            res = solve_exact(
                prob, needs, asg, search, distance=code != EXACT_PRIORITY, keep_unproved=False
            )
        got = EXACT_SKIPPED
        if res is not None and res.status == "OPTIMAL":
            got = EXACT_BOTH if res.distance_proved else EXACT_PRIORITY
        if code is not None:
            got = code
        run.work["exact"].append(got)
        if res is not None and got > EXACT_SKIPPED:
            chosen = res.deeds
            optimal &= got == EXACT_BOTH
            # Proved over the pairs the budget kept: capped needs count in full (budget.py).
            bound += max(res.priority_bound, float(res.priority)) + run.capped_of(needs)
        else:
            chosen = hint
            optimal = False
            bound += run.alone_bound(prob, needs)
        for n, d in sorted(chosen.items()):
            asg.add(n, d)
        run.report("exact", asg.priority, bound + pending)
    return bound, optimal
