"""`solve`: instance dict in, solution dict out (contract version 1), never raising on bad input.

Pipeline: parse and validate -> candidate pairs (numpy) -> pin checks -> components. Small
components are solved exactly by CP-SAT (priority, then distance; exact.py). Large ones share the
time by size and each gets an LP bound, LP-guided greedy, decomposition and LNS (component.py),
one after another here or side by side in worker processes or on a Dask cluster (parts.py).

Determinism: every CP-SAT call gets the caller's seed and stops on deterministic time (or at its
proved optimum); neighbourhoods are drawn from `random.Random(seed)`; parallel work is merged in a
fixed order; GLOP and the greedy are deterministic. The clock only decides how much work is done,
and `stats.work` records it: `solve(..., replay=work)` repeats exactly that work on any machine
and gives the same answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

import numpy as np

from . import eligibility
from .answer import deeds_and_unmatched
from .assignment import Assignment, Deed
from .budget import pair_budget
from .chunked import generate_until
from .component import improve_component, nearest_candidates
from .components import components
from .cpsat import Search, solve_exact
from .exact import solve_small, split_components
from .greedy import Slices, greedy_fill, priority_order
from .instance import InstanceError, ReplayError, parse_instance
from .lp import Guidance
from .partbound import part_bound
from .parts import Spec, merge, solve_parts, split
from .pins import group, place_pinned, rule_conflicts
from .pool import InlineExecutor, drop_prestarted, local_pool, progress_queue
from .problem import Problem
from .progress import Progress
from .prune import prune
from .run import Run, Work, check_work
from .timeout import DEFAULT_TIME_LIMIT, is_cut, out_of_time
from .tree import Tree

STRATEGIES = ("auto", "greedy", "cpsat")
# What a split run keeps for merging and writing the parts' answers (see `_solve_split`).
SPLIT_RESERVE = 0.5
SPLIT_RESERVE_PER_NEED = 5e-5
# Time kept for the answer per candidate pair of a person, beyond `Run`'s reserve per need.
ANSWER_SECONDS_PER_PAIR = 1e-7
# Share of the time small components get, per need, against a need of a large component.
SMALL_WEIGHT = 0.25
# Above this many team pairs, models use the nearest candidates only (see prune.py).
PRUNE_ABOVE_PAIRS = 150_000
# Nearest members / holders per skill / leads kept by the plain CP-SAT baseline on large instances
# (fewer than `auto` keeps: its one model of the whole instance is built in Python up front).
K_BASELINE = (20, 6, 10)


def _base(status: str, t0: float) -> dict[str, Any]:
    return {
        "version": 1,
        "status": status,
        "objective": {"priority": 0, "distance": 0},
        "bound": {"priority": 0},
        "deeds": [],
        "unmatched": [],
        "stats": {"components": 0, "seconds": round(time.monotonic() - t0, 3)},
    }


def invalid_answer(errors: list[dict[str, str | None]], t0: float) -> dict[str, Any]:
    out = _base("INVALID_INSTANCE", t0)
    out["errors"] = errors
    return out


def solve(
    instance: dict[str, Any],
    *,
    time_limit: float | None = None,
    workers: int = 2,
    seed: int = 0,
    progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    strategy: str = "auto",
    replay: Work | None = None,
    executor: Executor | None = None,
    started: float | None = None,
    given_lp: list[Guidance] | None = None,
    max_pairs: int | None = None,
) -> dict[str, Any]:
    """Solve a matching instance; see the module docstring and contract/matching.md.

    `workers`: CP-SAT threads in all. With two or more large independent components they are
    solved side by side: in `executor` when given (e.g. a Dask client's), `workers` parts at a
    time, one thread each; else in min(workers, parts) local processes of workers // processes
    threads each. `replay`: a solution's `stats.work`, to repeat that run exactly (the time limit
    is then ignored). `started`: the `time.monotonic()` the caller's clock started at (default
    now), so that the limit covers the caller's start-up and reading too. `given_lp`: the large
    components' LPs, already solved (a part's bound, parts.py), used where they fit. `max_pairs`:
    the pair budget (budget.py; default: this process's SANDAN_MAX_PAIRS)."""
    t0 = time.monotonic() if started is None else started
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; expected one of {STRATEGIES}")
    if max_pairs is not None and max_pairs < 1:
        raise ValueError(f"max_pairs must be a positive count of pairs, not {max_pairs}")
    try:
        inst = parse_instance(instance)
    except InstanceError as e:
        return invalid_answer(e.errors, t0)
    limit = DEFAULT_TIME_LIMIT if time_limit is None else max(0.1, float(time_limit))
    if replay is not None:
        check_work(replay)
        if is_cut(replay):  # the recorded run was cut off before any answer: so is its replay
            return out_of_time(instance, time.monotonic() - t0)
    run = Run(inst, t0, limit, max(1, workers), seed, progress, cancel, replay)
    run.max_pairs = pair_budget(None, max_pairs)  # the parts get the same (a cluster's too)
    try:
        if strategy == "auto":
            specs = split(inst, Tree(inst))
            if (replay is not None) and ("parts" in replay) != (len(specs) > 1):
                raise ReplayError("the work record to replay is not from this instance")
            if len(specs) > 1:
                return _solve_split(run, instance, specs, executor)
        drop_prestarted()  # solved as one: no worker processes needed
        out = _Solver(run, instance, given_lp or []).go(strategy)
        if replay is not None and out["status"] in ("OPTIMAL", "FEASIBLE") and run.work != replay:
            raise ReplayError("the work record to replay has steps this instance does not")
        return out
    finally:
        run.close()


def _solve_split(
    run: Run, raw: dict[str, Any], specs: list[Spec], executor: Executor | None
) -> dict[str, Any]:
    """Independent parts side by side (parts.py); one merged answer."""
    # The parts write their own answers within their limits: this process only merges them and
    # writes the whole (eight towns' 21,445 needs: 0.1 s and 0.4 s), so it keeps less than a
    # solve of the whole would (5 s of a 20 s limit there).
    run.keep(min(0.25 * run.limit, SPLIT_RESERVE + SPLIT_RESERVE_PER_NEED * len(run.inst.needs)))
    if executor is not None:  # the caller's (e.g. Dask): `workers` single-threaded parts at once
        drop_prestarted()
        sols = solve_parts(run, raw, specs, executor, run.workers, solve_part, part_bound)
    elif run.workers >= 2:
        slots = min(run.workers, len(specs))
        with local_pool(slots) as pool:
            sols = solve_parts(run, raw, specs, pool, slots, solve_part, part_bound)
    else:
        sols = solve_parts(run, raw, specs, InlineExecutor(), 1, solve_part, part_bound)
    out, work = merge(sols, {n.id: i for i, n in enumerate(run.inst.needs)})
    work["bounds"] = "bounds" in run.stats  # a replay skips the bounds phase where this run did
    run.stats["parts"] = [
        {k: s["stats"].get(k) for k in ("seconds", "time_limit", "components", "lp", "lns")}
        for s in sols
    ]
    run.stats.update(seconds=round(time.monotonic() - run.t0, 3), workers=run.workers)
    run.stats.update(seed=run.seed, work=work)
    out["stats"] = run.stats
    run.report("done", out["objective"]["priority"], out["bound"]["priority"], force=True)
    return out


def solve_part(payload: dict[str, Any]) -> dict[str, Any]:
    """Solve one part (see parts.py) in a worker process or on a Dask worker."""
    q = progress_queue()
    index = payload["index"]

    def report(event: Progress) -> None:
        if event.phase != "candidates":  # before its first bound
            q.put((index, event.best, event.bound))

    # The part's clock started when it was handed out, not when this worker got to it.
    started = time.monotonic() - max(0.0, time.time() - payload["dispatched"])
    return solve(
        payload["instance"],
        time_limit=payload["time_limit"],
        workers=payload["workers"],
        seed=payload["seed"],
        progress=report if q is not None else None,
        replay=payload["replay"],
        started=started,
        given_lp=payload.get("lp"),
        max_pairs=payload.get("max_pairs"),
    )


class _Solver:
    def __init__(self, run: Run, raw: dict[str, Any], given_lp: list[Guidance]) -> None:
        self.run = run
        self.given_lp = given_lp
        self.raw = raw
        self.inst = run.inst
        self.stats = run.stats
        self.t0 = run.t0

    # ------------------------------------------------------------------ main
    def go(self, strategy: str) -> dict[str, Any]:
        inst, run = self.inst, self.run
        tree = Tree(inst)
        arr = eligibility.build_arrays(inst)
        pins = group(inst)
        recorded = None if run.replay is None else run.replay.get("candidates", len(inst.needs))
        # Cut short by the clock only: a cancel stops the search, and keeps the greedy answer
        # that needs every pair.
        budget = pair_budget(run.replay, run.max_pairs)
        full, reached, cut, capped = generate_until(
            inst, tree, arr, pins, run.left, recorded, budget
        )
        if reached < len(inst.needs):  # the clock cut the pairs short: a replay must too
            run.work["candidates"] = reached
        if capped.any():  # so did the budget: a replay needs the same one
            run.work["max_pairs"] = budget
        run.cut_off(cut, arr.n_priority)
        run.cap_off(capped & ~cut, arr.n_priority)
        if run.capped.any():
            self.stats["capped_needs"] = int(run.capped.sum())
        prob = Problem(inst, tree, arr, full, full, pins, True)
        # The final fill and the answer's reasons read every pair of the needs they touch: a
        # town whose 6,399 people all reach every need (12 million pairs) needs ~1 s more.
        run.keep_more(ANSWER_SECONDS_PER_PAIR * (len(full.lead) + len(full.team)))
        self.stats["candidates"] = {
            "lead": len(full.lead),
            "team": len(full.team),
            "resource": len(full.res),
        }
        self.stats["seconds_candidates"] = round(time.monotonic() - self.t0, 3)
        run.report("candidates", 0, 0, force=True)

        conflicts = rule_conflicts(prob)
        pinned: dict[int, Deed] = {}
        if not conflicts and pins:
            placed, conflicts = self.place_pins(prob)
            pinned = placed or {}
        if conflicts:
            out = _base("INFEASIBLE_PINS", self.t0)
            out["conflicts"] = conflicts
            out["stats"].update(self.stats)
            return out

        comps = [c[~cut[c]] for c in components(full, len(inst.needs), len(inst.people))]
        comps = [c for c in comps if len(c)]  # needs cut off belong to no component
        self.stats["components"] = len(comps)
        self.stats["largest_component"] = max((len(c) for c in comps), default=0)
        full_slices = Slices(prob, full)

        if strategy == "greedy":
            asg, bound, optimal = self.run_greedy(prob, full_slices, pinned)
        elif strategy == "cpsat":
            asg, bound, optimal = self.run_cpsat(prob, full_slices, pinned)
        else:
            small, large = split_components(prob, comps)
            asg, bound, optimal = self.run_auto(prob, small, large, full_slices, pinned)
        return self.answer(prob, full_slices, asg, bound, optimal)

    def place_pins(self, prob: Problem) -> tuple[dict[int, Deed] | None, list[dict[str, str]]]:
        """The pinned needs' deeds: first over the nearest candidates (pinned pairs kept), which
        is solved in a fraction of the time of all pairs (a town whose people mostly reach the
        whole town: 0.01 s against 3.5 s, the time limit overrun by 2 s); all pairs only when
        the nearest cannot place every pin, to prove the conflict or find the farther deed."""
        run = self.run
        near = nearest_candidates(prob)
        nearest = Problem(prob.inst, prob.tree, prob.arr, near, near, prob.pins, True)
        placed, _ = place_pinned(nearest, run.workers, run.seed, run.left())
        if placed is not None:
            return placed, []
        return place_pinned(prob, run.workers, run.seed, run.left())

    # ------------------------------------------------------------------ strategies
    def seed_pinned(self, prob: Problem, pinned: dict[int, Deed]) -> Assignment:
        asg = Assignment(prob.arr)
        for n, d in sorted(pinned.items()):
            asg.add(n, d)
        return asg

    def run_greedy(
        self, prob: Problem, sl: Slices, pinned: dict[int, Deed]
    ) -> tuple[Assignment, float, bool]:
        self.run.phase = "greedy"
        asg = self.seed_pinned(prob, pinned)
        greedy_fill(prob, sl, asg, priority_order(prob, range(len(self.inst.needs))))
        bound = self.run.alone_bound(prob, self.run.not_cut())
        return asg, float(bound), asg.priority == bound and not asg.deeds

    def run_cpsat(
        self, prob: Problem, sl: Slices, pinned: dict[int, Deed]
    ) -> tuple[Assignment, float, bool]:
        """The baseline: one CP-SAT model of the whole instance, hinted with the greedy answer.

        On large instances the model keeps the nearest candidates only (`K_BASELINE`; all pairs of
        a town are ~800,000 variables: building that in Python alone takes minutes)."""
        run = self.run
        if len(prob.full.team) > PRUNE_ABOVE_PAIRS:
            cands = prune(prob.full, prob.arr, *K_BASELINE)
            prob = Problem(prob.inst, prob.tree, prob.arr, prob.full, cands, prob.pins, False)
            sl = Slices(prob)
        asg = self.seed_pinned(prob, pinned)
        greedy_fill(prob, sl, asg, priority_order(prob, range(len(self.inst.needs))))
        hint = dict(asg.deeds)
        run.report("cpsat", asg.priority, 0, force=True)
        empty = Assignment(prob.arr)
        res = solve_exact(
            prob,
            range(len(self.inst.needs)),
            empty,
            Search(hint, max(0.1, run.left()), run.workers, run.seed, run.halt),
        )
        if res.status in ("OPTIMAL", "FEASIBLE") and (
            res.priority,
            -res.distance,
        ) >= (asg.priority, -asg.distance):
            out = Assignment(prob.arr)
            for n, d in sorted(res.deeds.items()):
                out.add(n, d)
            asg = out
        # CP-SAT's bound of an unfinished search can be weaker than the single-need bound.
        bound = run.alone_bound(prob, run.not_cut())
        if res.status != "UNKNOWN":
            proved = max(float(asg.priority), res.priority_bound)
            bound = min(bound, proved + run.capped_of(run.not_cut()))
        optimal = res.status == "OPTIMAL" and res.distance_proved
        return asg, bound, optimal

    def run_auto(
        self,
        prob: Problem,
        small: list[np.ndarray],
        large: list[np.ndarray],
        sl: Slices,
        pinned: dict[int, Deed],
    ) -> tuple[Assignment, float, bool]:
        """Exact batches, then the large components one after another, each given its share."""
        run = self.run
        asg = self.seed_pinned(prob, pinned)
        # The whole instance's bound in progress reports: proved bounds of the parts done,
        # single-need bounds of the others.
        weights = [SMALL_WEIGHT * sum(len(b) for b in small), *(float(len(c)) for c in large)]
        pending = [run.alone_bound(prob, c) for c in large]
        run.bound_offset = sum(pending)
        left = max(0.0, run.left())
        start = time.monotonic()
        run.until(start + left * weights[0] / max(1.0, sum(weights)))
        bound, optimal = solve_small(run, prob, small, sl, asg, run.left())
        for i, comp in enumerate(large):
            # Time a part leaves unused flows on to the parts after it.
            optimal = False
            now = time.monotonic()
            run.until(now + max(0.0, run.end - now) * weights[i + 1] / sum(weights[i + 1 :]))
            run.bound_offset = bound + sum(pending[i + 1 :])
            given = self.given_lp[i] if i < len(self.given_lp) else None
            bound += improve_component(run, prob, comp, asg, given)
        run.until(run.end)
        run.bound_offset = 0.0
        return asg, bound, optimal

    # ------------------------------------------------------------------ output
    def answer(
        self, prob: Problem, sl: Slices, asg: Assignment, bound: float, optimal: bool
    ) -> dict[str, Any]:
        inst, run = self.inst, self.run
        t_answer = time.monotonic()
        self.stats["seconds_search"] = round(t_answer - self.t0, 3)
        # Nothing was proved about needs cut off by the clock (chunked.py), nor about the pairs
        # the budget left out (budget.py).
        optimal = optimal and not run.cut_priority and not run.capped.any()
        status = "OPTIMAL" if optimal else "FEASIBLE"
        out = _base(status, self.t0)
        out["objective"] = {"priority": asg.priority, "distance": asg.distance}
        # A part cut short before its LP reports a weaker bound; the single-need bound of the
        # whole instance is valid too, so the answer never claims more than either allows.
        # Needs cut off by the clock are in no bound above: they count in full.
        ceiling = int(run.alone_bound(prob, range(len(inst.needs))) + 1e-6)
        bound += run.cut_priority
        proved = asg.priority if optimal else max(asg.priority, min(int(bound + 1e-6), ceiling))
        out["bound"] = {"priority": proved}
        deeds, unmatched = deeds_and_unmatched(run, prob, sl, asg)
        out["deeds"] = deeds
        out["unmatched"] = unmatched
        self.stats["seconds"] = round(time.monotonic() - self.t0, 3)
        self.stats["seconds_answer"] = round(time.monotonic() - t_answer, 3)
        self.stats["workers"] = run.workers
        self.stats["seed"] = run.seed
        self.stats["work"] = run.work
        out["stats"].update(self.stats)
        run.report("done", asg.priority, proved - run.cut_priority, force=True)
        return out
