"""`solve`: instance dict in, solution dict out (contract version 1), never raising on bad input.

Pipeline: parse and validate -> candidate pairs (numpy) -> pin checks -> components. Small
components are solved exactly by CP-SAT (priority, then distance). Large ones get an LP bound
and LP-guided greedy, then LNS: CP-SAT re-solves neighbourhoods of needs that compete for the same
people and resources, hinted with the incumbent, until the time limit.

Determinism: every CP-SAT call gets the caller's seed and runs single-threaded (or with
`interleave_search` for the multi-worker baseline); neighbourhoods are drawn from
`random.Random(seed)`; parallel neighbourhoods get disjoint capacities and are merged in a fixed
order; GLOP and the greedy are deterministic. Small instances (every component solved to proven
optimality, e.g. a village) therefore give the same answer on every run. On large instances the
wall-clock limit decides how many LNS rounds run, so two runs under different machine load may
stop a few rounds apart (measured: 58,521 / 58,525 / 58,525 on the town); everything before the
limit is reproducible, and `stats.lns.iterations` records how far a run got.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from . import eligibility
from .assignment import Assignment, Deed
from .components import components
from .cpsat import solve_exact
from .explain import explain, reasons
from .greedy import Slices, greedy_fill, priority_order
from .instance import Instance, InstanceError, parse_instance
from .pins import group, place_pinned, rule_conflicts
from .problem import Problem
from .progress import Progress
from .tree import Tree

STRATEGIES = ("auto", "greedy", "cpsat")
DEFAULT_TIME_LIMIT = 60.0
# A component this small is solved exactly (its whole candidate model is cheap to build).
EXACT_MAX_NEEDS = 400
EXACT_MAX_PAIRS = 60_000
# Above this many team pairs, models use the nearest candidates only (see eligibility.prune).
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
) -> dict[str, Any]:
    """Solve a matching instance; see the module docstring and contract/matching.md."""
    t0 = time.monotonic()
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; expected one of {STRATEGIES}")
    try:
        inst = parse_instance(instance)
    except InstanceError as e:
        return invalid_answer(e.errors, t0)
    limit = DEFAULT_TIME_LIMIT if time_limit is None else max(0.1, float(time_limit))
    run = _Run(inst, t0, limit, max(1, workers), seed, progress, cancel)
    return run.go(strategy)


class _Run:
    def __init__(
        self,
        inst: Instance,
        t0: float,
        limit: float,
        workers: int,
        seed: int,
        progress: Callable[[Progress], None] | None,
        cancel: threading.Event | None,
    ) -> None:
        self.inst = inst
        self.t0 = t0
        # Writing the answer (reasons, explanations) takes time too: stop searching early enough.
        # Measured on the district (21,205 needs): the last LNS round and the final fill end 1.2 s
        # after the deadline and the answer takes 1.5 s, 1.3e-4 s a need; twice that is kept.
        reserve = min(0.25 * limit, 0.3 + 2.5e-4 * len(inst.needs))
        self.deadline = t0 + limit - reserve
        self.limit = limit
        self.workers = workers
        self.seed = seed
        self.progress_cb = progress
        self.cancel = cancel
        self.stats: dict[str, Any] = {}
        self.bound_offset = 0.0  # added to component bounds in progress reports
        self.best = 0
        self.phase = "candidates"
        self.last_report = 0.0

    # ------------------------------------------------------------------ helpers
    def left(self) -> float:
        return self.deadline - time.monotonic()

    def stopped(self) -> bool:
        return (self.cancel is not None and self.cancel.is_set()) or self.left() <= 0

    def report(self, phase: str, best: int, bound: float, force: bool = False) -> None:
        self.phase = phase
        now = time.monotonic()
        if self.progress_cb is None or (not force and now - self.last_report < 0.25):
            return
        self.last_report = now
        elapsed = now - self.t0
        self.progress_cb(
            Progress(
                fraction=min(1.0, elapsed / self.limit) if phase != "done" else 1.0,
                best=int(best),
                bound=int(self.bound_offset + bound + 1e-6),
                seconds=elapsed,
                phase=phase,
            )
        )

    # ------------------------------------------------------------------ main
    def go(self, strategy: str) -> dict[str, Any]:
        inst = self.inst
        tree = Tree(inst)
        arr = eligibility.build_arrays(inst)
        full = eligibility.generate(inst, tree, arr)
        pins = group(inst)
        prob = Problem(inst, tree, arr, full, full, pins, True)
        self.stats["candidates"] = {
            "lead": len(full.lead),
            "team": len(full.team),
            "resource": len(full.res),
        }
        self.stats["seconds_candidates"] = round(time.monotonic() - self.t0, 3)
        self.report("candidates", 0, 0, force=True)

        conflicts = rule_conflicts(prob)
        pinned: dict[int, Deed] = {}
        if not conflicts and pins:
            placed, conflicts = place_pinned(prob, self.workers, self.seed, self.left())
            pinned = placed or {}
        if conflicts:
            out = _base("INFEASIBLE_PINS", self.t0)
            out["conflicts"] = conflicts
            out["stats"].update(self.stats)
            return out

        comps = components(full, len(inst.needs), len(inst.people))
        self.stats["components"] = len(comps)
        self.stats["largest_component"] = max((len(c) for c in comps), default=0)
        full_slices = Slices(prob, full)

        if strategy == "greedy":
            asg, bound, optimal = self.run_greedy(prob, full_slices, pinned)
        elif strategy == "cpsat":
            asg, bound, optimal = self.run_cpsat(prob, full_slices, pinned)
        else:
            asg, bound, optimal = self.run_auto(prob, comps, full_slices, pinned)
        return self.answer(prob, full_slices, asg, bound, optimal)

    # ------------------------------------------------------------------ strategies
    def alone_bound(self, prob: Problem, needs: list[int] | np.ndarray) -> float:
        """Sum of priorities of the needs passing every single-need check: a cheap valid bound."""
        if not hasattr(self, "_trivial"):
            from .lp import trivial_bound

            self._trivial = trivial_bound(prob)
        return float(self._trivial[np.asarray(needs, dtype=np.int64)].sum())

    def seed_pinned(self, prob: Problem, pinned: dict[int, Deed]) -> Assignment:
        asg = Assignment(prob.arr)
        for n, d in sorted(pinned.items()):
            asg.add(n, d)
        return asg

    def run_greedy(
        self, prob: Problem, sl: Slices, pinned: dict[int, Deed]
    ) -> tuple[Assignment, float, bool]:
        self.phase = "greedy"
        asg = self.seed_pinned(prob, pinned)
        greedy_fill(prob, sl, asg, priority_order(prob, range(len(self.inst.needs))))
        bound = self.alone_bound(prob, list(range(len(self.inst.needs))))
        return asg, float(bound), asg.priority == bound and not asg.deeds

    def run_cpsat(
        self, prob: Problem, sl: Slices, pinned: dict[int, Deed]
    ) -> tuple[Assignment, float, bool]:
        """The baseline: one CP-SAT model of the whole instance, hinted with the greedy answer.

        On large instances the model keeps the nearest candidates only (`K_BASELINE`; all pairs of
        a town are ~800,000 variables: building that in Python alone takes minutes)."""
        if len(prob.full.team) > PRUNE_ABOVE_PAIRS:
            cands = eligibility.prune(prob.full, prob.arr, *K_BASELINE)
            prob = Problem(prob.inst, prob.tree, prob.arr, prob.full, cands, prob.pins, False)
            sl = Slices(prob)
        asg = self.seed_pinned(prob, pinned)
        greedy_fill(prob, sl, asg, priority_order(prob, range(len(self.inst.needs))))
        hint = dict(asg.deeds)
        self.report("cpsat", asg.priority, 0, force=True)
        empty = Assignment(prob.arr)
        res = solve_exact(
            prob,
            range(len(self.inst.needs)),
            empty,
            hint=hint,
            time_limit=max(0.1, self.left()),
            workers=self.workers,
            seed=self.seed,
            cancel=self.cancel,
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
        bound = self.alone_bound(prob, list(range(len(self.inst.needs))))
        if res.status != "UNKNOWN":
            bound = min(bound, max(float(asg.priority), res.priority_bound))
        optimal = res.status == "OPTIMAL" and res.distance_proved
        return asg, bound, optimal

    def run_auto(
        self, prob: Problem, comps: list[np.ndarray], sl: Slices, pinned: dict[int, Deed]
    ) -> tuple[Assignment, float, bool]:
        from .lns import improve_component

        asg = self.seed_pinned(prob, pinned)
        arr = prob.arr
        c = prob.full
        team_pairs = np.bincount(c.team.need, minlength=len(self.inst.needs))
        lead_pairs = np.bincount(c.lead.need, minlength=len(self.inst.needs))
        pair_count = team_pairs + lead_pairs
        small: list[np.ndarray] = []
        large = []
        # Small components are batched into one model each (still exact: they share nothing,
        # so the lexicographic optimum of the batch is each component's optimum), which saves
        # the fixed cost of a CP-SAT call per tiny component.
        batch: list[np.ndarray] = []
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
        optimal = True
        bound = 0.0
        # Exact components first; they are cheap and their share of the budget is small.
        n_small_needs = sum(len(x) for x in small)
        total_needs = max(1, len(self.inst.needs))
        exact_budget = self.limit * (0.9 if not large else 0.25 * n_small_needs / total_needs)
        t_exact0 = time.monotonic()
        # Progress reports a bound for the whole instance: proved bounds of the components done,
        # single-need bounds of the others.
        pending = self.alone_bound(prob, np.arange(len(self.inst.needs)))
        for i, comp in enumerate(small):
            needs = [int(n) for n in comp]
            pending -= self.alone_bound(prob, needs)
            if not any(
                c.lead.ptr[n + 1] > c.lead.ptr[n]
                or c.team.ptr[n + 1] > c.team.ptr[n]
                or c.res.ptr[n + 1] > c.res.ptr[n]
                or (not arr.n_lead[n] and arr.n_vol[n] == 0 and not arr.n_items[n])
                for n in needs
            ):
                continue  # nothing can be assigned in this component: all unmatched, proved
            # The hint keeps the pinned deeds placed up front, so falling back on it keeps pins.
            hint_asg = asg.copy()
            greedy_fill(prob, sl, hint_asg, priority_order(prob, needs))
            hint = {n: hint_asg.deeds[n] for n in needs if n in hint_asg.deeds}
            for n in needs:
                if n in asg.deeds:
                    asg.remove(n)
            spent = time.monotonic() - t_exact0
            share = max(0.05, (exact_budget - spent) * len(needs) / max(1, n_small_needs))
            res = (
                solve_exact(
                    prob,
                    needs,
                    asg,
                    hint=hint,
                    time_limit=min(share, max(0.05, self.left())),
                    workers=1,  # see cpsat._params: one LP-heavy worker is fastest here
                    seed=self.seed,
                    cancel=self.cancel,
                    det_limit=None,
                )
                if not self.stopped()
                else None
            )
            hint_pri = sum(int(arr.n_priority[n]) for n in hint)
            if (
                res is not None
                and res.status in ("OPTIMAL", "FEASIBLE")
                and res.priority >= hint_pri
            ):
                chosen = res.deeds
                optimal &= res.status == "OPTIMAL" and res.distance_proved
                bound += max(res.priority_bound, float(res.priority))
            else:
                chosen = hint
                optimal = False
                bound += self.alone_bound(prob, needs)
            for n, d in sorted(chosen.items()):
                asg.add(n, d)
            self.report("exact", asg.priority, bound + pending)
            if i % 64 == 0 and self.stopped():
                optimal = False
        for comp in large:
            optimal = False
            pending -= self.alone_bound(prob, comp)
            self.bound_offset = bound + pending
            comp_bound = improve_component(self, prob, comp, asg, pinned)
            bound += comp_bound
        self.bound_offset = 0.0
        return asg, bound, optimal

    # ------------------------------------------------------------------ output
    def answer(
        self, prob: Problem, sl: Slices, asg: Assignment, bound: float, optimal: bool
    ) -> dict[str, Any]:
        inst = self.inst
        t_answer = time.monotonic()
        self.stats["seconds_search"] = round(t_answer - self.t0, 3)
        status = "OPTIMAL" if optimal else "FEASIBLE"
        out = _base(status, self.t0)
        out["objective"] = {"priority": asg.priority, "distance": asg.distance}
        proved = asg.priority if optimal else max(asg.priority, int(bound + 1e-6))
        out["bound"] = {"priority": proved}
        deeds = []
        unmatched = []
        fresh = Assignment(prob.arr)  # full capacities, for "could it be fulfilled alone?"
        for n, need in enumerate(inst.needs):
            d = asg.deeds.get(n)
            if d is None:
                unmatched.append({"need": need.id, "reasons": reasons(prob, n, fresh, sl)})
                continue
            deeds.append(
                {
                    "need": need.id,
                    "lead": inst.people[d.lead].id if d.lead >= 0 else None,
                    "team": [inst.people[p].id for p in d.team],
                    "resources": [
                        {"resource": inst.resources[r].id, "quantity": q} for r, q in d.res
                    ],
                    "explanation": explain(prob, n, d),
                }
            )
        out["deeds"] = deeds
        out["unmatched"] = unmatched
        self.stats["seconds"] = round(time.monotonic() - self.t0, 3)
        self.stats["seconds_answer"] = round(time.monotonic() - t_answer, 3)
        self.stats["workers"] = self.workers
        self.stats["seed"] = self.seed
        out["stats"].update(self.stats)
        self.report("done", asg.priority, proved, force=True)
        return out
