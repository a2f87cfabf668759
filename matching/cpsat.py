"""CP-SAT solves of a set of needs against the capacities left by everything outside the set.

Used three ways: exact solves of small components (two phases: priority, then distance with the
priority fixed), LNS neighbourhoods (one weighted objective, hinted with the incumbent), and the
plain whole-instance baseline (`strategy="cpsat"`). The model itself is built in cpmodel.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .assignment import Assignment, Deed
from .cpmodel import SubModel
from .problem import Problem


@dataclass
class SubResult:
    status: str  # OPTIMAL | FEASIBLE | INFEASIBLE | UNKNOWN
    deeds: dict[int, Deed]
    priority: int
    distance: int
    priority_bound: float  # proved upper bound on the set's priority under the given capacities
    distance_proved: bool
    # The solve stopped on its own (optimum, infeasibility or the deterministic limit), not on
    # the wall clock or a cancel: the same call gives the same answer on any machine.
    clean: bool = True
    # CP-SAT's deterministic time of the solve, the same on any machine (lns.py sizes its
    # neighbourhoods by it); set by `solve_weighted` only.
    det_time: float = 0.0


def _params(
    solver: cp_model.CpSolver,
    time_limit: float,
    det_limit: float | None,
    workers: int,
    seed: int,
    light: bool = False,
    lean: bool = False,
) -> None:
    p = solver.parameters
    p.num_workers = max(1, workers)
    p.random_seed = seed
    p.max_time_in_seconds = max(0.01, time_limit)
    if det_limit is not None:
        # Deterministic time makes the stopping point independent of machine load.
        p.max_deterministic_time = max(0.001, det_limit)
    if workers > 1:
        p.interleave_search = True  # deterministic multi-worker search
        p.num_workers = workers
    else:
        # One deterministic worker with the full LP relaxation proves these matching models
        # faster than an interleaved portfolio (BENCHMARKS.md, "Tuning history").
        p.linearization_level = 2
        p.symmetry_level = 4
        if light:
            # Hinted sub-models of the LNS are solved to optimality in a fraction of a second,
            # most of it presolve: symmetry detection, probing and repeated presolve passes do
            # not pay for themselves there (BENCHMARKS.md, "Tuning history").
            p.symmetry_level = 0
            p.cp_model_probing_level = 0
            p.max_presolve_iterations = 1
            # A complete feasible hint is taken as the first solution anyway; the search phase
            # that follows the hint's decisions first only adds time.
            p.hint_conflict_limit = 0
            # Clause inprocessing pays off on long searches; these prove optimality in well under
            # a second.
            p.use_sat_inprocessing = False
            if lean:
                # No presolve, and the LP relaxation's constraints in from the start rather
                # than added as cuts when violated: 2.1-2.3x less CP-SAT time for the same
                # optima on the town's and the districts' models (BENCHMARKS.md, "Lean
                # neighbourhood solves"). The exact batches' proofs need presolve (1.24x slower
                # without), so they keep it.
                p.cp_model_presolve = False
                p.add_lp_constraints_lazily = False
    p.log_search_progress = False
    # A library must not steal Ctrl-C from its host; cancellation goes through `cancel`.
    p.catch_sigint_signal = False


def _clean(solver: cp_model.CpSolver, time_limit: float, cancel: threading.Event | None) -> bool:
    return not (cancel is not None and cancel.is_set()) and solver.wall_time < 0.98 * time_limit


class _Watch:
    """Stops a running CP-SAT solve when `cancel` is set (CP-SAT releases the GIL while solving)."""

    def __init__(self, solver: cp_model.CpSolver, cancel: threading.Event | None) -> None:
        self.solver = solver
        self.cancel = cancel
        self.done = threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self) -> _Watch:
        if self.cancel is not None:
            self.thread = threading.Thread(target=self._run, daemon=True)
            self.thread.start()
        return self

    def _run(self) -> None:
        assert self.cancel is not None
        while not self.done.is_set():
            if self.cancel.wait(0.05):
                self.solver.stop_search()
                return

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        if self.thread is not None:
            self.thread.join()


_STATUS = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
}


@dataclass(frozen=True)
class Search:
    """How one sub-model is solved: the incumbent to hint, the clock, threads, seed, the cancel
    event and an optional deterministic-time limit (the same for every kind of solve)."""

    hint: dict[int, Deed] | None
    time_limit: float
    workers: int
    seed: int
    cancel: threading.Event | None
    det_limit: float | None = None
    # Lean CP-SAT settings for the hinted region and neighbourhood solves (`_params`); runs
    # recorded before they existed replay without them (component.py).
    lean: bool = False


def solve_exact(
    prob: Problem,
    needs: Iterable[int],
    left: Assignment,
    search: Search,
    *,
    distance: bool = True,
    keep_unproved: bool = True,
) -> SubResult:
    """Two-phase lexicographic solve: maximise priority, then fix it and minimise distance.

    `distance=False` skips the second phase. With `keep_unproved=False` a second phase that did
    not prove its optimum is dropped (its answer depends on the clock), keeping the first's."""
    limit, cancel = search.time_limit, search.cancel
    model = SubModel(prob, needs, left)
    if search.hint:
        model.hint(search.hint)
    model.maximize_priority()
    solver = cp_model.CpSolver()
    _params(solver, limit * 0.85, search.det_limit, search.workers, search.seed)
    with _Watch(solver, cancel):
        st = solver.solve(model.m)
    status = _STATUS.get(st, "UNKNOWN")
    clean = _clean(solver, limit * 0.85, cancel)
    if status in ("INFEASIBLE", "UNKNOWN"):
        return SubResult(status, {}, 0, 0, 0.0, False, clean)
    deeds = model.read(solver)
    best = round(solver.objective_value)
    bound = float(solver.best_objective_bound)
    if (cancel is not None and cancel.is_set()) or not distance:
        dist = sum(d.distance for d in deeds.values())
        status = "FEASIBLE" if not clean else status
        return SubResult(status, deeds, best, dist, bound, False, clean)
    # Phase 2: keep the priority reached, minimise distance from that solution.
    model.clear_hint()
    model.hint(deeds)
    model.require_priority(best)
    model.minimize_distance()
    solver2 = cp_model.CpSolver()
    _params(solver2, max(0.05, limit * 0.15), search.det_limit, search.workers, search.seed)
    with _Watch(solver2, cancel):
        st2 = solver2.solve(model.m)
    dist_proved = st2 == cp_model.OPTIMAL
    if dist_proved or (keep_unproved and st2 == cp_model.FEASIBLE):
        deeds = model.read(solver2)
    dist = sum(d.distance for d in deeds.values())
    return SubResult(status, deeds, best, dist, bound, dist_proved)


def solve_weighted(
    prob: Problem, needs: Iterable[int], left: Assignment, search: Search
) -> SubResult:
    """One solve of `big * priority - distance` (lexicographic when big exceeds any distance)."""
    model = SubModel(prob, needs, left)
    if search.hint:
        model.hint(search.hint)
    big = model.max_distance + 1
    model.maximize_weighted(big)
    solver = cp_model.CpSolver()
    _params(
        solver,
        search.time_limit,
        search.det_limit,
        search.workers,
        search.seed,
        light=True,
        lean=search.lean,
    )
    with _Watch(solver, search.cancel):
        st = solver.solve(model.m)
    status = _STATUS.get(st, "UNKNOWN")
    clean = _clean(solver, search.time_limit, search.cancel)
    if status in ("INFEASIBLE", "UNKNOWN"):
        # Its cost counts too: a solve that found nothing in its deterministic limit is costly.
        return SubResult(status, {}, 0, 0, 0.0, False, clean, solver.deterministic_time)
    deeds = model.read(solver)
    pri = sum(int(prob.arr.n_priority[n]) for n in deeds)
    dist = sum(d.distance for d in deeds.values())
    bound = float(solver.best_objective_bound + model.max_distance) / big
    return SubResult(
        status, deeds, pri, dist, bound, status == "OPTIMAL", clean, solver.deterministic_time
    )
