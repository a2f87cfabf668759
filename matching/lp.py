"""LP relaxation (GLOP) for guidance, and a Lagrangian bound that is valid for the full problem.

The LP is built on the model candidates (possibly pruned), so its optimum alone is not a proved
bound for the full problem. Its capacity duals are: any non-negative prices u on the capacity
rows give the upper bound

    sum_e u_e * capacity_e + sum_n max(0, priority_n - cheapest_n(u))

where cheapest_n(u) is a lower bound on what it costs to fulfil need n alone at those prices
(cheapest lead + the `volunteers` cheapest members + the cheapest units of each kind), computed
over *every* eligible pair with numpy. With the LP's optimal duals this is close to the LP value.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from ortools.linear_solver.python import model_builder_helper as mbh
from scipy.sparse import coo_matrix

from .assignment import Assignment
from .eligibility import Arrays, Candidates, FloatArray, IntArray
from .instance import N_KINDS
from .problem import Problem

if TYPE_CHECKING:
    from .solver import _Run


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


def lp_guidance(run: _Run, prob: Problem, comp: IntArray, asg: Assignment) -> Guidance:
    """LP relaxation of one component on the model candidates, and a proved bound from it."""
    from .lns import regions

    t0 = time.monotonic()
    arr = prob.arr
    n_p, n_r = len(arr.p_cell), len(arr.r_cap)
    caps = capacities(arr)
    parts = [comp]
    if len(comp) > LP_PART_NEEDS:
        parts = [np.array(sorted(r), dtype=np.int64) for r in regions(prob, comp, LP_PART_TARGET)]
    results: list[_Part] = []
    if len(parts) == 1:
        if not run.stopped():
            limit = max(1.0, min(60.0, run.left() * 0.4))
            results.append(_lp_part(prob, comp, caps, limit, run.cancel))
    else:
        # Parts are independent LPs: solve them `workers` at a time (GLOP releases the GIL), and
        # keep them in part order, so the answer does not depend on which finished first.
        workers = max(1, min(run.workers, len(parts)))
        limit = max(1.0, min(60.0, run.left() * 0.4 * workers / len(parts)))

        def one(part: IntArray) -> _Part | None:
            if run.stopped():
                return None
            return _lp_part(prob, part, _shares(prob, part, comp, caps), limit, run.cancel)

        with ThreadPoolExecutor(max_workers=workers) as pool:
            solved = list(pool.map(one, parts))
        # A part skipped on cancel leaves the rest without guidance, as a stop between parts did.
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
    stats: dict[str, Any] = {"parts": len(parts)}
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


def _lp_part(
    prob: Problem,
    comp: IntArray,
    caps: Caps,
    time_limit: float,
    cancel: threading.Event | None = None,
) -> _Part:
    t0 = time.monotonic()
    arr, c = prob.arr, prob.cands
    n_p, n_r = len(arr.p_cell), len(arr.r_cap)
    in_comp = np.zeros(prob.n_needs, dtype=bool)
    in_comp[comp] = True
    lk = in_comp[c.lead.need]
    tk = in_comp[c.team.need]
    rk = in_comp[c.res.need]
    l_need, l_ent = c.lead.need[lk], c.lead.ent[lk]
    t_need, t_ent = c.team.need[tk], c.team.ent[tk]
    r_need, r_ent = c.res.need[rk], c.res.ent[rk]
    ny, nl, nt, nr = len(comp), len(l_need), len(t_need), len(r_need)
    y_of = np.full(prob.n_needs, -1, dtype=np.int64)
    y_of[comp] = np.arange(ny)
    # Quantity of the pair's kind requested by the pair's need (the z upper bound).
    item_slot, item_kind, item_q = [], [], []
    for i, n in enumerate(comp.tolist()):
        for k, q in arr.n_items[n]:
            item_slot.append(i)
            item_kind.append(k)
            item_q.append(q)
    i_slot, i_kind = np.array(item_slot, dtype=np.int64), np.array(item_kind, dtype=np.int64)
    qmap = np.zeros((ny, N_KINDS), dtype=np.float64)
    qmap[i_slot, i_kind] = item_q
    r_q = qmap[y_of[r_need], arr.r_kind[r_ent]]
    n_col = ny + nl + nt + nr
    off_l, off_t, off_r = ny, ny + nl, ny + nl + nt
    lo = np.zeros(n_col)
    hi = np.concatenate(
        [np.ones(ny + nl + nt), np.minimum(r_q, arr.r_cap[r_ent].astype(np.float64))]
    )
    pinned = [y_of[n] for n in prob.pins if y_of[n] >= 0]
    lo[pinned] = 1.0
    obj = np.zeros(n_col)
    obj[:ny] = arr.n_priority[comp].astype(np.float64)
    rows = _Rows()
    inf = float("inf")
    # Links between y and its pairs: sum(lead pairs) = y, sum(team pairs) = volunteers * y.
    needs_lead = arr.n_lead[comp]
    vol = arr.n_vol[comp].astype(np.float64)
    row_l = rows.block(needs_lead, 0.0, 0.0)
    rows.put(row_l[needs_lead], np.flatnonzero(needs_lead), -1.0)
    keep = needs_lead[y_of[l_need]]
    rows.put(row_l[y_of[l_need]][keep], off_l + np.flatnonzero(keep), 1.0)
    has_team = vol > 0
    row_t = rows.block(has_team, 0.0, 0.0)
    rows.put(row_t[has_team], np.flatnonzero(has_team), -vol[has_team])
    keep = has_team[y_of[t_need]]
    rows.put(row_t[y_of[t_need]][keep], off_t + np.flatnonzero(keep), 1.0)
    # Skills: the members holding each requested skill cover y.
    req_slot, req_skill = [], []
    for i, n in enumerate(comp.tolist()):
        if vol[i] > 0:
            for sk in arr.n_skills[n]:
                req_slot.append(i)
                req_skill.append(sk)
    if req_slot:
        r_slot = np.array(req_slot, dtype=np.int64)
        first = rows.add(len(r_slot), 0.0, inf)
        rows.put(first + np.arange(len(r_slot)), r_slot, -1.0)
        # Expand every team pair by its need's requests; keep the pairs holding the skill.
        per = np.bincount(r_slot, minlength=ny)
        start = np.cumsum(per) - per
        slot_t = y_of[t_need]
        reps = per[slot_t]
        pair = np.repeat(np.arange(nt), reps)
        req = np.repeat(start[slot_t] - np.cumsum(reps) + reps, reps) + np.arange(len(pair))
        n_sk = max(1, len(arr.skill_ids))
        held = _person_skill_keys(arr, n_sk)
        key = t_ent[pair] * n_sk + np.array(req_skill, dtype=np.int64)[req]
        ok = _member(key, held)
        rows.put(first + req[ok], off_t + pair[ok], 1.0)
    # Units per requested kind: sum of the kind's resource pairs = q * y.
    item_row = np.full((ny, N_KINDS), -1, dtype=np.int64)
    if item_slot:
        first = rows.add(len(i_slot), 0.0, 0.0)
        item_row[i_slot, i_kind] = first + np.arange(len(i_slot))
        rows.put(item_row[i_slot, i_kind], i_slot, -qmap[i_slot, i_kind])
        at = item_row[y_of[r_need], arr.r_kind[r_ent]]
        rows.put(at[at >= 0], off_r + np.flatnonzero(at >= 0), 1.0)
    # Capacity rows, one per entity that its pairs could over-use; remember them for the duals.
    cap_rows: list[tuple[str, IntArray, IntArray]] = []
    hours_t = arr.n_hours[t_need].astype(np.float64)
    for name, ents, off, coef, cap in (
        ("lead", l_ent, off_l, np.ones(nl), caps[0]),
        ("deeds", t_ent, off_t, np.ones(nt), caps[1]),
        ("hours", t_ent, off_t, hours_t, caps[2]),
        ("res", r_ent, off_r, np.ones(nr), caps[3]),
    ):
        if len(ents) == 0:
            continue
        # The most the row's left side can reach: a resource pair carries up to min(q, cap) units.
        reach = np.bincount(ents, weights=coef * hi[off : off + len(ents)], minlength=len(cap))
        binds = reach > cap + 1e-9
        ent_ids = np.flatnonzero(binds)
        first = rows.add(len(ent_ids), -inf, cap[ent_ids])
        row_of = np.full(len(cap), -1, dtype=np.int64)
        row_of[ent_ids] = first + np.arange(len(ent_ids))
        at = row_of[ents]
        keep = at >= 0
        rows.put(at[keep], off + np.flatnonzero(keep), coef[keep])
        cap_rows.append((name, ent_ids, row_of[ent_ids]))
    m = mbh.ModelBuilderHelper()
    row_lo, row_hi = rows.bounds()
    # The stub spells its arrays `ndarray[float64, ...]`, which no real array type matches.
    m.fill_model_from_sparse_data(lo, hi, obj, row_lo, row_hi, rows.matrix(n_col))  # type: ignore[arg-type]
    m.set_maximize(True)
    t_build = time.monotonic() - t0
    solver = mbh.ModelSolverHelper("glop")
    # Starting from the all-slack basis instead of GLOP's triangular crash basis: measured on a
    # district part (2,600 needs, 180,000 columns) 2.4 s against 3.6 s, same optimum.
    solver.set_solver_specific_parameters("initial_basis: NONE")
    solver.set_time_limit_in_seconds(time_limit)
    done = threading.Event()

    def watch() -> None:  # GLOP runs without the GIL; interrupt it when the caller cancels
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
    status = solver.status()
    stats: dict[str, Any] = {
        "needs": ny,
        "columns": len(lo),
        "rows": m.num_constraints(),
        "build_s": round(t_build, 2),
    }
    value: dict[int, float] = {}
    uses: tuple[Use, Use, Use] | None = None
    u_lead = np.zeros(n_p)
    u_deeds = np.zeros(n_p)
    u_hours = np.zeros(n_p)
    u_res = np.zeros(n_r)
    if status in (mbh.SolveStatus.OPTIMAL, mbh.SolveStatus.FEASIBLE):
        x: FloatArray = np.asarray(solver.variable_values(), dtype=np.float64)
        duals = np.asarray(solver.dual_values(), dtype=np.float64)
        value = {int(n): float(x[i]) for i, n in enumerate(comp.tolist())}
        uses = (
            (l_need, l_ent, x[off_l:off_t]),
            (t_need, t_ent, x[off_t:off_r]),
            (r_need, r_ent, x[off_r:]),
        )
        target = {"lead": u_lead, "deeds": u_deeds, "hours": u_hours, "res": u_res}
        for name, ent_ids, row_ids in cap_rows:
            target[name][ent_ids] = np.abs(duals[row_ids])
        stats["lp_value"] = round(float(solver.objective_value()), 2)
    stats["lp_status"] = str(status)
    stats["lp_s"] = round(time.monotonic() - t0 - t_build, 2)
    return _Part(value, uses, (u_lead, u_deeds, u_hours, u_res), stats)


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


def lagrangian_bound(
    prob: Problem,
    full: Candidates,
    comp: IntArray,
    u_lead: FloatArray,
    u_deeds: FloatArray,
    u_hours: FloatArray,
    u_res: FloatArray,
) -> float:
    """Upper bound on the component's priority sum for prices u >= 0 (see module docstring)."""
    arr = prob.arr
    n_needs = prob.n_needs
    in_comp = np.zeros(n_needs, dtype=bool)
    in_comp[comp] = True
    inf = 1e18
    # Entities of the component (only their capacities are priced here).
    pe = np.zeros(len(u_lead), dtype=bool)
    re_ = np.zeros(len(u_res), dtype=bool)
    cost = np.zeros(n_needs)
    # lead: the cheapest eligible lead
    lk = in_comp[full.lead.need]
    ln, le = full.lead.need[lk], full.lead.ent[lk]
    pe[le] = True
    lead_cost = np.full(n_needs, inf)
    np.minimum.at(lead_cost, ln, u_lead[le])
    cost += np.where(arr.n_lead, lead_cost, 0.0)
    # team: the `volunteers` cheapest eligible members
    tk = in_comp[full.team.need]
    tn, te = full.team.need[tk], full.team.ent[tk]
    pe[te] = True
    tc = u_deeds[te] + arr.n_hours[tn] * u_hours[te]
    order = np.lexsort((tc, tn))
    tn_s, tc_s = tn[order], tc[order]
    first = np.searchsorted(tn_s, tn_s, side="left")
    rank = np.arange(len(tn_s)) - first
    take = rank < arr.n_vol[tn_s]
    team_cost = np.bincount(tn_s[take], weights=tc_s[take], minlength=n_needs)
    team_count = np.bincount(tn_s, minlength=n_needs)
    cost += np.where(team_count >= arr.n_vol, team_cost, inf)
    # Skills: the team must hold each requested skill. For one skill s the cheapest such team
    # costs the v cheapest plus max(0, cheapest holder - v-th cheapest); the max over the need's
    # skills is a valid lower bound for several.
    vth = np.zeros(n_needs)
    last = take & (rank == arr.n_vol[tn_s] - 1)
    vth[tn_s[last]] = tc_s[last]
    extra = np.zeros(n_needs)
    holder_sets = _skill_holders(prob)
    for s, holders in holder_sets.items():
        wants = np.zeros(n_needs, dtype=bool)
        for n in comp.tolist():
            if s in arr.n_skills[n]:
                wants[n] = True
        if not wants.any():
            continue
        sub = wants[tn] & holders[te]
        best = np.full(n_needs, inf)
        np.minimum.at(best, tn[sub], tc[sub])
        extra = np.where(wants, np.maximum(extra, best - vth), extra)
    cost += np.maximum(extra, 0.0)
    # resources: per (need, kind) the cheapest q units, each resource giving up to min(q, cap)
    rk = in_comp[full.res.need]
    rn, rr = full.res.need[rk], full.res.ent[rk]
    re_[rr] = True
    kind = arr.r_kind[rr]
    n_items = len(arr.n_items)
    qmap = np.zeros((n_items, N_KINDS), dtype=np.int64)
    for n in comp.tolist():
        for k, q in arr.n_items[n]:
            qmap[n, k] = q
    q = qmap[rn, kind]
    units = np.minimum(q, arr.r_cap[rr])
    price = u_res[rr]
    order = np.lexsort((price, kind, rn))
    rn_s, k_s, u_s, p_s, q_s = rn[order], kind[order], units[order], price[order], q[order]
    key = rn_s * N_KINDS + k_s
    first = np.searchsorted(key, key, side="left")
    cum = np.cumsum(u_s)
    before = cum - u_s - (cum[first] - u_s[first])
    took = np.clip(q_s - before, 0, u_s)
    res_cost = np.bincount(rn_s, weights=took * p_s, minlength=n_needs)
    supply = np.bincount(key, weights=u_s, minlength=n_items * N_KINDS)
    supply = supply.reshape(n_items, N_KINDS)
    short = (supply < qmap).any(axis=1)
    cost += res_cost
    cost = np.where(short, inf, cost)
    gain = np.maximum(0.0, arr.n_priority - cost)
    pinned = np.zeros(n_needs, dtype=bool)
    pinned[list(prob.pins)] = True
    # A pinned need is fulfilled whatever it costs: its term may be negative.
    gain = np.where(pinned & (cost < inf), arr.n_priority - cost, gain)
    total = float(gain[in_comp].sum())
    total += float((u_lead * arr.p_lead + u_deeds * arr.p_deeds + u_hours * arr.p_hours)[pe].sum())
    total += float((u_res * arr.r_cap)[re_].sum())
    return total


def _skill_holders(prob: Problem) -> dict[int, npt.NDArray[np.bool_]]:
    """For each requested skill, a mask over people holding it."""
    arr = prob.arr
    out: dict[int, npt.NDArray[np.bool_]] = {}
    for p, skills in enumerate(arr.p_skills):
        for s in skills:
            if s not in out:
                out[s] = np.zeros(len(arr.p_cell), dtype=bool)
            out[s][p] = True
    return out


def trivial_bound(prob: Problem) -> FloatArray:
    """Per need: its priority if it passes every single-need count check, else 0.

    A need with no eligible lead, fewer eligible members than its team, a requested skill no
    eligible member holds, or fewer eligible units of a kind than requested can never be
    fulfilled, so the sum of this array over any set of needs bounds that set's priority sum.
    """
    arr, c = prob.arr, prob.full
    n = prob.n_needs
    lead_n = np.diff(c.lead.ptr)
    team_n = np.diff(c.team.ptr)
    ok = (~arr.n_lead | (lead_n > 0)) & (team_n >= arr.n_vol)
    qmap = np.zeros((n, N_KINDS), dtype=np.int64)
    for i, items in enumerate(arr.n_items):
        for k, q in items:
            qmap[i, k] = q
    rn, rr = c.res.need, c.res.ent
    kind = arr.r_kind[rr]
    units = np.minimum(arr.r_cap[rr], qmap[rn, kind])
    supply = np.bincount(rn * N_KINDS + kind, weights=units, minlength=n * N_KINDS)
    supply = supply.reshape(n, N_KINDS)
    ok &= (supply >= qmap).all(axis=1)
    for i in np.flatnonzero(ok & np.array([bool(s) for s in arr.n_skills], dtype=bool)).tolist():
        if arr.n_vol[i] == 0:
            ok[i] = False
            continue
        team = c.team.ent[c.team.of(i)].tolist()
        for s in arr.n_skills[i]:
            if not any(s in arr.p_skills[p] for p in team):
                ok[i] = False
                break
    out: FloatArray = np.where(ok, arr.n_priority, 0).astype(np.float64)
    return out
