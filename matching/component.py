"""One large component: LP bound and guidance, LP-guided greedy, decomposition, then LNS.

Pipeline: prune candidates, LP (bound + guidance, lp.py; in a split instance, the one the
part's bound computed, partbound.py), LP-ordered greedy, LP-guided decomposition into regions
(decompose.py), then LNS (lns.py) until the component's deadline.
Finally a greedy pass over *all* eligible pairs fills needs the pruned models left out. What the
clock allowed (LP parts, regions, LNS rounds) is recorded in the run's work record, and a replay
of that record repeats exactly the same steps.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from . import eligibility
from .assignment import Assignment
from .decompose import RegionWork, quotas, solve_regions
from .greedy import Slices, greedy_fill
from .lns import lns
from .lp import Guidance, lp_guidance, reusable
from .problem import Problem
from .prune import prune, with_pairs
from .run import Run
from .tree import regions

# Candidates kept per need (nearest members, nearest holders per skill, nearest leads), for the
# LP and the CP-SAT models alike (measurements in BENCHMARKS.md, "Tuning history").
K_TEAM, K_SKILL, K_LEAD = 40, 12, 20
# The most of the component's time left that the decomposition may take.
DECOMPOSE_SHARE = 0.75
# Deterministic time of one region's solve in the decomposition.
REGION_DET_LIMIT = 0.5
# Region and neighbourhood solves use CP-SAT's lean settings (`cpsat.Search.lean`). The work
# record says so ("lean": true); a record without it, made before they existed, replays
# without them, so that it still gives its own answer.
LEAN_SOLVES = True
# The LNS sizes its neighbourhoods by what they cost (`lns._Pace`); "paced": true in the work
# record, and a record without it replays with the fixed size it was made with.
PACED_HOODS = True


def improve_component(
    run: Run, prob: Problem, comp: np.ndarray, asg: Assignment, given: Guidance | None = None
) -> float:
    """Improve `asg` on one large component until the run's deadline; return a priority bound.

    `given`: the component's LP as the part's bound computed it (partbound.py), used instead of
    computing it again when it is the same LP (`lp.reusable`). Appends this component's work
    ({"lp", "regions", "dropped", "lns", "parallel"}) to `run.work["large"]`; when replaying,
    follows the recorded entry instead of the clock."""
    index = len(run.work["large"])
    rec: dict[str, Any] | None = run.replayed("large", index)
    arr = prob.arr
    needs = [int(n) for n in comp]
    cands = nearest_candidates(prob)
    sub = Problem(prob.inst, prob.tree, arr, prob.full, cands, prob.pins, False)
    solve_parts = None if rec is None else rec["lp"]
    priced = None if rec is None else rec.get("priced")
    if given is not None and reusable(given, comp, solve_parts, priced):
        guide = given
    else:
        run.report("lp", asg.priority, run.alone_bound(prob, comp), force=True)
        guide = lp_guidance(run, sub, comp, asg, solve_parts, priced=priced)
        guide.stats["computed_in"] = "search"
    if guide.added is not None:  # the pairs pricing found go to the models too
        more = with_pairs(cands, prob.full, *guide.added, len(prob.inst.people))
        sub = Problem(prob.inst, prob.tree, arr, prob.full, more, prob.pins, False)
    sl = Slices(sub)
    # An LP cut short by the clock has duals far from optimal, and the bound built on them can
    # lie above what the needs are worth in all (a town in one cell: 211,318 against 81,881).
    # The LP sees the pairs the budget kept: its capped needs count in full on top (budget.py).
    bound = min(guide.bound + run.capped_of(comp), run.alone_bound(prob, comp))
    work: dict[str, Any] = {"lp": guide.stats["solved"]}
    if rec is None or "priced" in rec:  # a record made before pricing replays without it
        work["priced"] = guide.stats["priced"]
    lean = _setting(rec, work, "lean", LEAN_SOLVES)
    paced = _setting(rec, work, "paced", PACED_HOODS)
    run.stats.setdefault("lp", []).append(guide.stats)
    lp_order = sorted(
        needs,
        key=lambda n: (n not in prob.pins, -guide.value.get(n, 0.0), -int(arr.n_priority[n]), n),
    )
    # Quick incumbent first (LP-ordered greedy), so a cancel right now still has an answer.
    greedy_fill(sub, sl, asg, lp_order)
    greedy_pri = asg.priority
    run.report("decompose", asg.priority, bound, force=True)
    regs = regions(prob.tree, arr.n_cell, np.array(needs, dtype=np.int64))
    run.stats["regions"] = len(regs)
    decompose = guide.res_use is not None and (
        rec["regions"] >= 0 if rec is not None else not run.stopped()
    )
    work["regions"], work["dropped"] = -1, []
    if decompose:
        t0 = time.monotonic()
        trial = asg.copy()
        for n in needs:
            if n not in prob.pins:
                trial.remove(n)
        q = quotas(sub, guide, regs, trial)
        # Regions stop on deterministic time; the wall-clock cap per region and the phase
        # deadline are only safety nets. A region past the deadline keeps the greedy answer, and
        # regions gain far more per second than the LNS (district seed 1: ~350 against ~50
        # priority/s), so the cap is generous.
        budget = max(0.2, run.left() * DECOMPOSE_SHARE)
        per = max(2.0, budget * run.workers / max(1, len(regs)))
        done = solve_regions(
            sub,
            regs,
            trial,
            q,
            time_per_region=run.cap(per),
            det_per_region=REGION_DET_LIMIT,
            workers=run.workers,
            seed=run.seed,
            cancel=run.halt,
            deadline=time.monotonic() + budget,
            hint=dict(asg.deeds),
            replay=None if rec is None else RegionWork(rec["regions"], rec["dropped"]),
            lean=lean,
        )
        work["regions"], work["dropped"] = done.started, done.dropped
        greedy_fill(sub, sl, trial, lp_order)
        run.stats["decompose"] = {
            "priority": trial.priority,
            "greedy": greedy_pri,
            "seconds": round(time.monotonic() - t0, 2),
        }
        if (trial.priority, -trial.distance) > (asg.priority, -asg.distance):
            for n in needs:
                asg.remove(n)
            for n in needs:
                d = trial.deeds.get(n)
                if d is not None:
                    asg.add(n, d)
    run.report("lns", asg.priority, bound, force=True)
    work["lns"], work["parallel"] = lns(
        run,
        sub,
        regs,
        asg,
        bound,
        guide.value,
        rounds=None if rec is None else rec["lns"],
        parallel=None if rec is None else rec["parallel"],
        lean=lean,
        paced=paced,
    )
    # The models see the nearest candidates only; a need they left out may still fit with a
    # farther one (e.g. the only free holder of a rare skill). The fill ends at the run's hard
    # end, as the answer must still be written in time (on a town whose people all reach every
    # need it tried 6,399 people a need and took 1 s of a 1.4 s reserve); where the clock ended
    # it, the needs it tried are recorded, and a replay tries as many.
    before = asg.priority
    fill_limit = None if rec is None else rec.get("fill")
    tried = greedy_fill(
        prob,
        Slices(prob),
        asg,
        lp_order,
        stop=run.past_hard_end,  # never true when replaying
        limit=fill_limit,
    )
    if tried is not None:
        work["fill"] = tried
    run.stats["final_fill"] = asg.priority - before
    run.work["large"].append(work)
    return bound


def _setting(rec: dict[str, Any] | None, work: dict[str, Any], name: str, new: bool) -> bool:
    """A search setting that came after records were first kept: `new` in a new run, and as
    `rec` says when replaying (absent: off, as the record was made without it); recorded in
    `work` ("name": true) when on."""
    on = new if rec is None else bool(rec.get(name, False))
    if on:
        work[name] = True
    return on


def nearest_candidates(prob: Problem) -> eligibility.Candidates:
    """The pairs the search's models use: each need's nearest candidates, pinned pairs kept."""
    if prob.nearest is None:
        prob.nearest = _with_pins(prob, prune(prob.full, prob.arr, K_TEAM, K_SKILL, K_LEAD))
    return prob.nearest


def _with_pins(prob: Problem, c: eligibility.Candidates) -> eligibility.Candidates:
    """Pinned pairs must stay in the model even when pruning dropped them."""
    if not prob.pins:
        return c
    n_people = len(prob.inst.people)
    keys_l = [n * n_people + ps.lead for n, ps in prob.pins.items() if ps.lead >= 0]
    keys_t = [n * n_people + p for n, ps in prob.pins.items() for p in ps.team]
    return with_pairs(
        c, prob.full, np.array(keys_l, dtype=np.int64), np.array(keys_t, dtype=np.int64), n_people
    )
