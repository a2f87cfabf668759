"""LP relaxation (GLOP) for guidance, and a Lagrangian bound that is valid for the full problem.

The LP is built on the model candidates (possibly pruned), so its optimum alone is not a proved
bound for the full problem. Its capacity duals are: at those prices, `bounds.lagrangian_bound`
over *every* eligible pair is a proved bound, close to the LP value.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.linear_solver.python import model_builder_helper as mbh
from scipy.sparse import coo_matrix

from .assignment import Assignment
from .bounds import lagrangian_bound
from .eligibility import Arrays, FloatArray, IntArray
from .instance import N_KINDS
from .problem import Problem
from .run import Run
from .tree import regions


@dataclass
class Guidance:
    bound: float
    value: dict[int, float]  # LP value of y_n per need
    stats: dict[str, Any] = field(default_factory=dict)
    # LP values of the pair variables: (need, entity, value) arrays for resources and people.
    res_use: tuple[IntArray, IntArray, FloatArray] | None = None
    team_use: tuple[IntArray, IntArray, FloatArray] | None = None
    lead_use: tuple[IntArray, IntArray, FloatArray] | None = None


# Above this many needs the LP is solved per top-level part (a town of a district), with the few
# entities shared between parts split by their share of candidate pairs: dual simplex time grows
# faster than linearly, and the Lagrangian bound stays valid whatever prices the parts return.
LP_PART_NEEDS = 4000
LP_PART_TARGET = 2500  # needs per part (about a town)

Use = tuple[IntArray, IntArray, FloatArray]
Caps = tuple[FloatArray, FloatArray, FloatArray, FloatArray]  # lead, deeds, hours, res


@dataclass
class _Part:
    value: dict[int, float]
    uses: tuple[Use, Use, Use] | None  # lead, team, resource pair values
    duals: Caps  # prices on the capacity rows
    stats: dict[str, Any]


def lp_guidance(
    run: Run, prob: Problem, comp: IntArray, asg: Assignment, solve_parts: int | None = None
) -> Guidance:
    """LP relaxation of one component on the model candidates, and a proved bound from it.

    A large component's LP is solved in parts; the parts solved before a stop are a prefix,
    counted in `stats["solved"]`. `solve_parts` (replay) solves exactly that many."""
    t0 = time.monotonic()
    arr = prob.arr
    n_p, n_r = len(arr.p_cell), len(arr.r_cap)
    caps = capacities(arr)
    parts = [comp]
    if len(comp) > LP_PART_NEEDS:
        regs = regions(prob.tree, arr.n_cell, comp, LP_PART_TARGET)
        parts = [np.array(sorted(r), dtype=np.int64) for r in regs]
    # Parts are independent LPs: solve them `workers` at a time (GLOP releases the GIL), and
    # keep them in part order, so the answer does not depend on which finished first.
    workers = max(1, min(run.workers, len(parts)))
    limit = run.cap(max(1.0, min(60.0, run.left() * 0.4 * workers / len(parts))))

    def one(i: int) -> _Part | None:
        if (run.stopped() if solve_parts is None else i >= solve_parts) or run.halt.is_set():
            return None
        part_caps = caps if len(parts) == 1 else _shares(prob, parts[i], comp, caps)
        return _lp_part(prob, parts[i], part_caps, limit, run.halt)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        solved = list(pool.map(one, range(len(parts))))
    # A part skipped on a stop leaves the rest without guidance, as a stop between parts did.
    results: list[_Part] = []
    for r in solved:
        if r is None:
            break
        results.append(r)
    value: dict[int, float] = {}
    for r in results:
        value.update(r.value)
    u = [np.zeros(n_p), np.zeros(n_p), np.zeros(n_p), np.zeros(n_r)]
    for r in results:
        for k in range(4):
            np.maximum(u[k], r.duals[k], out=u[k])
    uses: list[Use | None] = [None, None, None]
    if results and all(r.uses is not None for r in results):
        for k in range(3):
            got = [r.uses[k] for r in results if r.uses is not None]
            uses[k] = (
                np.concatenate([g[0] for g in got]),
                np.concatenate([g[1] for g in got]),
                np.concatenate([g[2] for g in got]),
            )
    stats: dict[str, Any] = {"parts": len(parts), "solved": len(results)}
    for key in ("columns", "rows", "build_s", "lp_s", "lp_value"):
        stats[key] = round(sum(float(r.stats.get(key, 0.0)) for r in results), 2)
    stats["lp_status"] = sorted({str(r.stats.get("lp_status")) for r in results})
    bound = lagrangian_bound(prob, prob.full, comp, u[0], u[1], u[2], u[3])
    stats["bound"] = round(bound, 2)
    stats["seconds"] = round(time.monotonic() - t0, 2)
    return Guidance(bound, value, stats, uses[2], uses[1], uses[0])


def capacities(arr: Arrays) -> Caps:
    """Right-hand sides of the capacity rows: leads, deeds, hours per person; units per resource."""
    return (
        arr.p_lead.astype(np.float64),
        arr.p_deeds.astype(np.float64),
        arr.p_hours.astype(np.float64),
        arr.r_cap.astype(np.float64),
    )


def _shares(prob: Problem, part: IntArray, comp: IntArray, caps: Caps) -> Caps:
    """Capacities scaled by the entity's share of candidate pairs that fall in `part`."""
    c = prob.cands
    in_part = np.zeros(prob.n_needs, dtype=bool)
    in_part[part] = True
    in_comp = np.zeros(prob.n_needs, dtype=bool)
    in_comp[comp] = True
    n_p = len(caps[0])
    p_all = np.bincount(
        np.concatenate([c.lead.ent[in_comp[c.lead.need]], c.team.ent[in_comp[c.team.need]]]),
        minlength=n_p,
    )
    p_in = np.bincount(
        np.concatenate([c.lead.ent[in_part[c.lead.need]], c.team.ent[in_part[c.team.need]]]),
        minlength=n_p,
    )
    share_p = p_in / np.maximum(1, p_all)
    r_all = np.bincount(c.res.ent[in_comp[c.res.need]], minlength=len(caps[3]))
    r_in = np.bincount(c.res.ent[in_part[c.res.need]], minlength=len(caps[3]))
    share_r = r_in / np.maximum(1, r_all)
    return caps[0] * share_p, caps[1] * share_p, caps[2] * share_p, caps[3] * share_r


@dataclass
class _Cols:
    """The LP's columns: y per need of the part, then lead, team and resource pair variables."""

    comp: IntArray
    y_of: IntArray  # need -> its y column (-1 outside the part)
    lead: tuple[IntArray, IntArray]  # (need, person) of each lead pair
    team: tuple[IntArray, IntArray]
    res: tuple[IntArray, IntArray]  # (need, resource)
    qmap: FloatArray  # (y slot, kind) -> units requested
    items: tuple[IntArray, IntArray]  # (y slot, kind) of each requested item, in request order
    hi: FloatArray  # column upper bounds
    off_l: int
    off_t: int
    off_r: int


def _columns(prob: Problem, comp: IntArray) -> _Cols:
    arr, c = prob.arr, prob.cands
    in_comp = np.zeros(prob.n_needs, dtype=bool)
    in_comp[comp] = True
    pairs = []
    for p in (c.lead, c.team, c.res):
        keep = in_comp[p.need]
        pairs.append((p.need[keep], p.ent[keep]))
    ny = len(comp)
    nl, nt = len(pairs[0][0]), len(pairs[1][0])
    y_of = np.full(prob.n_needs, -1, dtype=np.int64)
    y_of[comp] = np.arange(ny)
    qmap = np.zeros((ny, N_KINDS), dtype=np.float64)
    slots, kinds = [], []
    for i, n in enumerate(comp.tolist()):
        for k, q in arr.n_items[n]:
            qmap[i, k] = q
            slots.append(i)
            kinds.append(k)
    items = (np.array(slots, dtype=np.int64), np.array(kinds, dtype=np.int64))
    r_need, r_ent = pairs[2]
    # A resource pair carries up to min(requested units of its kind, capacity) units.
    r_q = qmap[y_of[r_need], arr.r_kind[r_ent]]
    hi = np.concatenate(
        [np.ones(ny + nl + nt), np.minimum(r_q, arr.r_cap[r_ent].astype(np.float64))]
    )
    return _Cols(
        comp, y_of, pairs[0], pairs[1], pairs[2], qmap, items, hi, ny, ny + nl, ny + nl + nt
    )


def _link_rows(prob: Problem, k: _Cols, rows: _Rows) -> None:
    """Links between y and its pairs: sum(lead pairs) = y, sum(team pairs) = volunteers * y."""
    arr = prob.arr
    needs_lead = arr.n_lead[k.comp]
    vol = arr.n_vol[k.comp].astype(np.float64)
    for mask, coef, (need, _), off in (
        (needs_lead, np.ones(len(vol)), k.lead, k.off_l),
        (vol > 0, vol, k.team, k.off_t),
    ):
        row = rows.block(mask, 0.0, 0.0)
        rows.put(row[mask], np.flatnonzero(mask), -coef[mask])
        keep = mask[k.y_of[need]]
        rows.put(row[k.y_of[need]][keep], off + np.flatnonzero(keep), 1.0)


def _skill_rows(prob: Problem, k: _Cols, rows: _Rows) -> None:
    """Skills: the members holding each requested skill cover y."""
    arr = prob.arr
    req_slot, req_skill = [], []
    for i, n in enumerate(k.comp.tolist()):
        if arr.n_vol[n] > 0:
            for sk in arr.n_skills[n]:
                req_slot.append(i)
                req_skill.append(sk)
    if not req_slot:
        return
    t_need, t_ent = k.team
    r_slot = np.array(req_slot, dtype=np.int64)
    first = rows.add(len(r_slot), 0.0, float("inf"))
    rows.put(first + np.arange(len(r_slot)), r_slot, -1.0)
    # Expand every team pair by its need's requests; keep the pairs holding the skill.
    per = np.bincount(r_slot, minlength=len(k.comp))
    start = np.cumsum(per) - per
    slot_t = k.y_of[t_need]
    reps = per[slot_t]
    pair = np.repeat(np.arange(len(t_need)), reps)
    req = np.repeat(start[slot_t] - np.cumsum(reps) + reps, reps) + np.arange(len(pair))
    n_sk = max(1, len(arr.skill_ids))
    held = _person_skill_keys(arr, n_sk)
    key = t_ent[pair] * n_sk + np.array(req_skill, dtype=np.int64)[req]
    ok = _member(key, held)
    rows.put(first + req[ok], k.off_t + pair[ok], 1.0)


def _item_rows(prob: Problem, k: _Cols, rows: _Rows) -> None:
    """Units per requested kind: sum of the kind's resource pairs = q * y."""
    i_slot, i_kind = k.items
    if not len(i_slot):
        return
    r_need, r_ent = k.res
    item_row = np.full(k.qmap.shape, -1, dtype=np.int64)
    first = rows.add(len(i_slot), 0.0, 0.0)
    item_row[i_slot, i_kind] = first + np.arange(len(i_slot))
    rows.put(item_row[i_slot, i_kind], i_slot, -k.qmap[i_slot, i_kind])
    at = item_row[k.y_of[r_need], prob.arr.r_kind[r_ent]]
    rows.put(at[at >= 0], k.off_r + np.flatnonzero(at >= 0), 1.0)


def _capacity_rows(
    prob: Problem, k: _Cols, caps: Caps, rows: _Rows
) -> list[tuple[str, IntArray, IntArray]]:
    """One row per entity that its pairs could over-use; returns them by kind, for the duals."""
    cap_rows: list[tuple[str, IntArray, IntArray]] = []
    nl, nt, nr = len(k.lead[0]), len(k.team[0]), len(k.res[0])
    hours_t = prob.arr.n_hours[k.team[0]].astype(np.float64)
    for name, ents, off, coef, cap in (
        ("lead", k.lead[1], k.off_l, np.ones(nl), caps[0]),
        ("deeds", k.team[1], k.off_t, np.ones(nt), caps[1]),
        ("hours", k.team[1], k.off_t, hours_t, caps[2]),
        ("res", k.res[1], k.off_r, np.ones(nr), caps[3]),
    ):
        if len(ents) == 0:
            continue
        # The most the row's left side can reach; rows that can never bind are left out.
        reach = np.bincount(ents, weights=coef * k.hi[off : off + len(ents)], minlength=len(cap))
        ent_ids = np.flatnonzero(reach > cap + 1e-9)
        first = rows.add(len(ent_ids), -float("inf"), cap[ent_ids])
        row_of = np.full(len(cap), -1, dtype=np.int64)
        row_of[ent_ids] = first + np.arange(len(ent_ids))
        at = row_of[ents]
        keep = at >= 0
        rows.put(at[keep], off + np.flatnonzero(keep), coef[keep])
        cap_rows.append((name, ent_ids, row_of[ent_ids]))
    return cap_rows


def _glop(m: Any, time_limit: float, cancel: threading.Event | None) -> Any:
    """Solve with GLOP; a set `cancel` interrupts it (GLOP runs without the GIL)."""
    solver = mbh.ModelSolverHelper("glop")
    # Starting from the all-slack basis instead of GLOP's triangular crash basis: measured on a
    # district part (2,600 needs, 180,000 columns) 2.4 s against 3.6 s, same optimum.
    solver.set_solver_specific_parameters("initial_basis: NONE")
    solver.set_time_limit_in_seconds(time_limit)
    done = threading.Event()

    def watch() -> None:
        while cancel is not None and not done.is_set():
            if cancel.wait(0.05):
                solver.interrupt_solve()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    if cancel is not None:
        watcher.start()
    try:
        solver.solve(m)
    finally:
        done.set()
        if cancel is not None:
            watcher.join()
    return solver


def _lp_part(
    prob: Problem,
    comp: IntArray,
    caps: Caps,
    time_limit: float,
    cancel: threading.Event | None = None,
) -> _Part:
    t0 = time.monotonic()
    arr = prob.arr
    k = _columns(prob, comp)
    n_col = len(k.hi)
    lo = np.zeros(n_col)
    lo[[k.y_of[n] for n in prob.pins if k.y_of[n] >= 0]] = 1.0
    obj = np.zeros(n_col)
    obj[: len(comp)] = arr.n_priority[comp].astype(np.float64)
    rows = _Rows()
    _link_rows(prob, k, rows)
    _skill_rows(prob, k, rows)
    _item_rows(prob, k, rows)
    cap_rows = _capacity_rows(prob, k, caps, rows)
    m = mbh.ModelBuilderHelper()
    row_lo, row_hi = rows.bounds()
    # The stub spells its arrays `ndarray[float64, ...]`, which no real array type matches.
    m.fill_model_from_sparse_data(lo, k.hi, obj, row_lo, row_hi, rows.matrix(n_col))  # type: ignore[arg-type]
    m.set_maximize(True)
    t_build = time.monotonic() - t0
    solver = _glop(m, time_limit, cancel)
    status = solver.status()
    stats: dict[str, Any] = {
        "needs": len(comp),
        "columns": n_col,
        "rows": m.num_constraints(),
        "build_s": round(t_build, 2),
    }
    value: dict[int, float] = {}
    uses: tuple[Use, Use, Use] | None = None
    duals_by = {
        "lead": np.zeros(len(arr.p_cell)),
        "deeds": np.zeros(len(arr.p_cell)),
        "hours": np.zeros(len(arr.p_cell)),
        "res": np.zeros(len(arr.r_cap)),
    }
    if status in (mbh.SolveStatus.OPTIMAL, mbh.SolveStatus.FEASIBLE):
        x: FloatArray = np.asarray(solver.variable_values(), dtype=np.float64)
        duals = np.asarray(solver.dual_values(), dtype=np.float64)
        value = {int(n): float(x[i]) for i, n in enumerate(comp.tolist())}
        uses = (
            (*k.lead, x[k.off_l : k.off_t]),
            (*k.team, x[k.off_t : k.off_r]),
            (*k.res, x[k.off_r :]),
        )
        for name, ent_ids, row_ids in cap_rows:
            duals_by[name][ent_ids] = np.abs(duals[row_ids])
        stats["lp_value"] = round(float(solver.objective_value()), 2)
    stats["lp_status"] = str(status)
    stats["lp_s"] = round(time.monotonic() - t0 - t_build, 2)
    caps_out = (duals_by["lead"], duals_by["deeds"], duals_by["hours"], duals_by["res"])
    return _Part(value, uses, caps_out, stats)


class _Rows:
    """The LP's constraint matrix as coordinate triplets, rows numbered as they are added."""

    def __init__(self) -> None:
        self.n = 0
        self.hi_parts: list[FloatArray] = []
        self.lo_parts: list[FloatArray] = []
        self.r: list[IntArray] = []
        self.c: list[IntArray] = []
        self.v: list[FloatArray] = []

    def add(self, count: int, lb: float, ub: float | FloatArray) -> int:
        """Append `count` rows with bounds [lb, ub]; returns the first one's number."""
        first = self.n
        self.n += count
        self.lo_parts.append(np.full(count, lb))
        self.hi_parts.append(np.broadcast_to(np.asarray(ub, dtype=np.float64), (count,)))
        return first

    def block(self, mask: npt.NDArray[np.bool_], lb: float, ub: float) -> IntArray:
        """One row per true entry of `mask`; returns each entry's row (-1 where false)."""
        first = self.add(int(mask.sum()), lb, ub)
        out = np.full(len(mask), -1, dtype=np.int64)
        out[mask] = first + np.arange(int(mask.sum()))
        return out

    def put(self, rows: IntArray, cols: IntArray, vals: float | FloatArray) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        self.r.append(rows)
        self.c.append(np.asarray(cols, dtype=np.int64))
        self.v.append(np.broadcast_to(np.asarray(vals, dtype=np.float64), rows.shape))

    def bounds(self) -> tuple[FloatArray, FloatArray]:
        z = np.zeros(0)
        return np.concatenate([z, *self.lo_parts]), np.concatenate([z, *self.hi_parts])

    def matrix(self, n_col: int) -> Any:
        z = np.zeros(0, dtype=np.int64)
        r, c = np.concatenate([z, *self.r]), np.concatenate([z, *self.c])
        v = np.concatenate([np.zeros(0), *self.v])
        # Rows of repeated (row, column) entries are summed by the conversion, as intended.
        return coo_matrix((v, (r, c)), shape=(self.n, n_col)).tocsr()


def _person_skill_keys(arr: Arrays, n_skills: int) -> IntArray:
    """Sorted keys person * n_skills + skill of every requested skill a person holds."""
    keys = [p * n_skills + sk for p, held in enumerate(arr.p_skills) for sk in held]
    return np.array(sorted(keys), dtype=np.int64)


def _member(keys: IntArray, sorted_keys: IntArray) -> npt.NDArray[np.bool_]:
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    out: npt.NDArray[np.bool_] = sorted_keys[at] == keys
    return out
