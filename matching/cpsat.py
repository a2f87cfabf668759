"""CP-SAT model of a set of needs against the capacities left by everything outside the set.

Used three ways: exact solves of small components (two phases: priority, then distance with the
priority fixed), LNS neighbourhoods (one weighted objective, hinted with the incumbent), and the
plain whole-instance baseline (`strategy="cpsat"`). Only variables that can be non-zero are
created: a person with no lead capacity left gets no lead variables, and so on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .assignment import Assignment, Deed
from .problem import Problem

# Lighter presolve for `solve_weighted` (LNS neighbourhoods and decomposition regions).
LIGHT = True


def _sum(vs: list[cp_model.IntVar]) -> cp_model.LinearExprT:
    # Python's sum() nests one expression object per term; this builds one flat sum.
    return cp_model.LinearExpr.sum(vs)


def _weighted(terms: list[tuple[int, cp_model.IntVar]]) -> cp_model.LinearExprT:
    return cp_model.LinearExpr.weighted_sum([v for _, v in terms], [w for w, _ in terms])


@dataclass
class SubResult:
    status: str  # OPTIMAL | FEASIBLE | INFEASIBLE | UNKNOWN
    deeds: dict[int, Deed]
    priority: int
    distance: int
    priority_bound: float  # proved upper bound on the set's priority under the given capacities
    distance_proved: bool


class _Model:
    """The variables of one sub-model, kept to read a solution back and to set hints."""

    def __init__(self, prob: Problem, needs: Iterable[int], left: Assignment) -> None:
        arr, c = prob.arr, prob.cands
        m = cp_model.CpModel()
        self.m = m
        self.needs = [int(n) for n in needs]
        self.y: dict[int, cp_model.IntVar] = {}
        self.xl: dict[int, list[tuple[int, int, cp_model.IntVar]]] = {}
        self.xt: dict[int, list[tuple[int, int, cp_model.IntVar]]] = {}
        self.z: dict[int, list[tuple[int, int, cp_model.IntVar]]] = {}
        lead_terms: dict[int, list[cp_model.IntVar]] = {}
        team_terms: dict[int, list[tuple[int, cp_model.IntVar]]] = {}
        res_terms: dict[int, list[cp_model.IntVar]] = {}
        self.pri_terms: list[tuple[int, cp_model.IntVar]] = []
        self.dist_terms: list[tuple[int, cp_model.IntVar]] = []
        self.max_distance = 0
        for n in self.needs:
            y = m.new_bool_var(f"y{n}")
            self.y[n] = y
            pri = int(arr.n_priority[n])
            self.pri_terms.append((pri, y))
            pin = prob.pins.get(n)
            if pin is not None:
                m.add(y == 1)
            if arr.n_skills[n] and int(arr.n_vol[n]) == 0:
                m.add(y == 0)  # skills are held by team members, and there are none
            h = int(arr.n_hours[n])
            vol = int(arr.n_vol[n])
            worst = 0
            # --- lead
            xl: list[tuple[int, int, cp_model.IntVar]] = []
            if arr.n_lead[n]:
                sl = c.lead.of(n)
                for p, d in zip(c.lead.ent[sl].tolist(), c.lead.dist[sl].tolist(), strict=True):
                    if left.lead_left[p] <= 0 and not (pin and pin.lead == p):
                        continue
                    v = m.new_bool_var("")
                    xl.append((p, d, v))
                    lead_terms.setdefault(p, []).append(v)
                    if d:
                        self.dist_terms.append((d, v))
                    worst = max(worst, d)
                if pin is not None and pin.lead >= 0:
                    m.add(_sum([v for p, _, v in xl if p == pin.lead]) == 1)
                m.add(_sum([v for _, _, v in xl]) == y)
            self.xl[n] = xl
            # --- team
            xt: list[tuple[int, int, cp_model.IntVar]] = []
            if vol > 0:
                sl = c.team.of(n)
                wd = 0
                for p, d in zip(c.team.ent[sl].tolist(), c.team.dist[sl].tolist(), strict=True):
                    pinned = pin is not None and p in pin.team
                    if not pinned and (left.deeds_left[p] <= 0 or left.hours_left[p] < h):
                        continue
                    v = m.new_bool_var("")
                    xt.append((p, d, v))
                    team_terms.setdefault(p, []).append((h, v))
                    if d:
                        self.dist_terms.append((d, v))
                    wd = max(wd, d)
                worst += vol * wd
                m.add(_sum([v for _, _, v in xt]) == vol * y)
                if pin is not None:
                    for p in pin.team:
                        m.add(_sum([v for q, _, v in xt if q == p]) == 1)
                lead_of = {p: v for p, _, v in xl}
                for p, _, v in xt:
                    if p in lead_of:
                        m.add_at_most_one(v, lead_of[p])
                for s in arr.n_skills[n]:
                    m.add(_sum([v for p, _, v in xt if s in arr.p_skills[p]]) >= y)
            self.xt[n] = xt
            # --- resources
            zs: list[tuple[int, int, cp_model.IntVar]] = []
            if arr.n_items[n]:
                sl = c.res.of(n)
                ents = c.res.ent[sl].tolist()
                dists = c.res.dist[sl].tolist()
                for k, q in arr.n_items[n]:
                    kz = []
                    wd = 0
                    for r, d in zip(ents, dists, strict=True):
                        if arr.r_kind[r] != k or left.cap_left[r] <= 0:
                            continue
                        ub = min(q, int(left.cap_left[r]))
                        v = m.new_int_var(0, ub, "")
                        kz.append(v)
                        zs.append((r, d, v))
                        res_terms.setdefault(r, []).append(v)
                        if d:
                            self.dist_terms.append((d, v))
                        wd = max(wd, d)
                    worst += q * wd
                    m.add(_sum(kz) == q * y)
            self.z[n] = zs
            self.max_distance += worst
        for p, vs in lead_terms.items():
            if len(vs) > left.lead_left[p]:
                m.add(_sum(vs) <= max(0, int(left.lead_left[p])))
        for p, hv in team_terms.items():
            if len(hv) > left.deeds_left[p]:
                m.add(_sum([v for _, v in hv]) <= max(0, int(left.deeds_left[p])))
            if sum(h for h, _ in hv) > left.hours_left[p]:
                m.add(_weighted(hv) <= max(0, int(left.hours_left[p])))
        for r, zv in res_terms.items():
            m.add(_sum(zv) <= max(0, int(left.cap_left[r])))
        self.pri = _weighted(self.pri_terms)
        self.dist = _weighted(self.dist_terms)

    def weighted(self, big: int) -> cp_model.LinearExprT:
        """`big * priority - distance` as one flat sum (cheaper to set than the composite)."""
        return _weighted(
            [(big * w, v) for w, v in self.pri_terms] + [(-w, v) for w, v in self.dist_terms]
        )

    def hint(self, deeds: dict[int, Deed]) -> None:
        # Written to the proto in two calls: `add_hint` per variable cost as much as building.
        idx: list[int] = []
        val: list[int] = []
        for n in self.needs:
            d = deeds.get(n)
            idx.append(self.y[n].index)
            val.append(1 if d else 0)
            lead = d.lead if d else -1  # candidates are people >= 0
            for p, _, v in self.xl[n]:
                idx.append(v.index)
                val.append(1 if p == lead else 0)
            team = set(d.team) if d else set()
            for p, _, v in self.xt[n]:
                idx.append(v.index)
                val.append(1 if p in team else 0)
            units = dict(d.res) if d else {}
            for r, _, v in self.z[n]:
                idx.append(v.index)
                val.append(units.get(r, 0))
        hint = self.m.proto.solution_hint
        hint.vars.extend(idx)
        hint.values.extend(val)

    def read(self, solver: cp_model.CpSolver) -> dict[int, Deed]:
        out: dict[int, Deed] = {}
        for n in self.needs:
            if not solver.boolean_value(self.y[n]):
                continue
            dist = 0
            lead = -1
            for p, d, v in self.xl[n]:
                if solver.boolean_value(v):
                    lead, dist = p, dist + d
            team = []
            for p, d, v in self.xt[n]:
                if solver.boolean_value(v):
                    team.append(p)
                    dist += d
            res = []
            for r, d, v in self.z[n]:
                q = int(solver.value(v))
                if q:
                    res.append((r, q))
                    dist += d * q
            out[n] = Deed(lead, tuple(team), tuple(res), dist)
        return out


def _params(
    solver: cp_model.CpSolver,
    time_limit: float,
    det_limit: float | None,
    workers: int,
    seed: int,
    light: bool = False,
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
        # One deterministic worker with the full LP relaxation proves these matching models much
        # faster than an interleaved portfolio (measured on villages: 0.3 s against 3-13 s).
        p.linearization_level = 2
        p.symmetry_level = 4
        if light:
            # Hinted sub-models of the LNS are solved to optimality in a fraction of a second,
            # most of it presolve: without symmetry detection and probing, and with one presolve
            # pass, they solve ~40% faster (measured on town neighbourhoods, same optima).
            p.symmetry_level = 0
            p.cp_model_probing_level = 0
            p.max_presolve_iterations = 1
    p.log_search_progress = False
    # A library must not steal Ctrl-C from its host; cancellation goes through `cancel`.
    p.catch_sigint_signal = False


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


def solve_exact(
    prob: Problem,
    needs: Iterable[int],
    left: Assignment,
    *,
    hint: dict[int, Deed] | None,
    time_limit: float,
    workers: int,
    seed: int,
    cancel: threading.Event | None,
    det_limit: float | None = None,
) -> SubResult:
    """Two-phase lexicographic solve: maximise priority, then fix it and minimise distance."""
    model = _Model(prob, needs, left)
    if hint:
        model.hint(hint)
    model.m.maximize(model.pri)
    solver = cp_model.CpSolver()
    _params(solver, time_limit * 0.85, det_limit, workers, seed)
    with _Watch(solver, cancel):
        st = solver.solve(model.m)
    status = _STATUS.get(st, "UNKNOWN")
    if status in ("INFEASIBLE", "UNKNOWN"):
        return SubResult(status, {}, 0, 0, 0.0, False)
    deeds = model.read(solver)
    best = round(solver.objective_value)
    bound = float(solver.best_objective_bound)
    if cancel is not None and cancel.is_set():
        dist = sum(d.distance for d in deeds.values())
        return SubResult("FEASIBLE", deeds, best, dist, bound, False)
    # Phase 2: keep the priority reached, minimise distance from that solution.
    model.m.clear_hints()  # type: ignore[no-untyped-call]
    model.hint(deeds)
    model.m.add(model.pri >= best)
    model.m.minimize(model.dist)
    solver2 = cp_model.CpSolver()
    _params(solver2, max(0.05, time_limit * 0.15), det_limit, workers, seed)
    with _Watch(solver2, cancel):
        st2 = solver2.solve(model.m)
    dist_proved = st2 == cp_model.OPTIMAL
    if st2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        deeds = model.read(solver2)
    dist = sum(d.distance for d in deeds.values())
    return SubResult(status, deeds, best, dist, bound, dist_proved)


def solve_weighted(
    prob: Problem,
    needs: Iterable[int],
    left: Assignment,
    *,
    hint: dict[int, Deed] | None,
    time_limit: float,
    workers: int,
    seed: int,
    cancel: threading.Event | None,
    det_limit: float | None = None,
) -> SubResult:
    """One solve of `big * priority - distance` (lexicographic when big exceeds any distance)."""
    model = _Model(prob, needs, left)
    if hint:
        model.hint(hint)
    big = model.max_distance + 1
    model.m.maximize(model.weighted(big))
    solver = cp_model.CpSolver()
    _params(solver, time_limit, det_limit, workers, seed, light=LIGHT)
    with _Watch(solver, cancel):
        st = solver.solve(model.m)
    status = _STATUS.get(st, "UNKNOWN")
    if status in ("INFEASIBLE", "UNKNOWN"):
        return SubResult(status, {}, 0, 0, 0.0, False)
    deeds = model.read(solver)
    pri = sum(int(prob.arr.n_priority[n]) for n in deeds)
    dist = sum(d.distance for d in deeds.values())
    bound = float(solver.best_objective_bound + model.max_distance) / big
    return SubResult(status, deeds, pri, dist, bound, status == "OPTIMAL")
