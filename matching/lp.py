"""LP relaxation (GLOP) for guidance, and a Lagrangian bound that is valid for the full problem.

The LP is built on the model candidates (possibly pruned), so its optimum alone is not a proved
bound for the full problem. Its capacity duals are: at those prices, `bounds.lagrangian_bound`
over *every* eligible pair is a proved bound, close to the LP value.
"""

from __future__ import annotations

import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from ortools.linear_solver.python import model_builder_helper as mbh

from .assignment import Assignment
from .bounds import Priced, bound_at, lagrangian_bound, price_needs
from .eligibility import FloatArray, IntArray
from .lprows import (
    Caps,
    Rows,
    capacities,
    capacity_rows,
    columns,
    item_rows,
    link_rows,
    skill_rows,
)
from .problem import Problem
from .prune import with_pairs
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
    comp: IntArray | None = None  # the component's needs
    # Pairs pricing added to the nearest candidates (keys need * people + person: lead, team);
    # the search's models take them too, as the LP's pair values refer to them.
    added: tuple[IntArray, IntArray] | None = None


# Above this many needs the LP is solved per top-level part (a town of a district), with the few
# entities shared between parts split by their share of candidate pairs: dual simplex time grows
# faster than linearly, and the Lagrangian bound stays valid whatever prices the parts return.
LP_PART_NEEDS = 4000
LP_PART_TARGET = 2500  # needs per part (about a town)
# The most of the time left that the LP may take in a component's search (its other stages
# need the rest); a part's bound, which does nothing else, gives it all (partbound.py).
LP_SHARE = 0.4
# An LP is not started with less time left than this plus its share of pairs times the next.
LP_MIN_LEFT = 0.3
LP_SECONDS_PER_PAIR = 5e-6

# Pricing: the LP is built on each need's nearest candidates. At its duals, a need may be
# fulfilled more cheaply with people the pruning left out (a team of 40 drawn from its 40
# nearest members has no choice), and the Lagrangian bound over every pair then lies far above
# the LP (bigteams seed 2: 12,219 against 7,966, 42% above the all-pairs LP). The pairs that
# bound's cheapest choices take are added and the LP solved again, while the bound stays more
# than PRICE_GAP above the LP's value, at most PRICE_ROUNDS times, and only while the part's
# time left is at least twice what its last solve took (a re-solve cut short is dropped).
PRICE_GAP = 0.005
PRICE_ROUNDS = 8

Use = tuple[IntArray, IntArray, FloatArray]


@dataclass
class _Part:
    value: dict[int, float]
    uses: tuple[Use, Use, Use] | None  # lead, team, resource pair values
    duals: Caps  # prices on the capacity rows
    stats: dict[str, Any]
    # Pairs pricing added to the candidates, as keys need * people + person: (lead, team).
    added: tuple[IntArray, IntArray] = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    # The Lagrangian bound at `duals` on the part's capacities, when pricing computed it.
    bound: float | None = None


def lp_guidance(
    run: Run,
    prob: Problem,
    comp: IntArray,
    asg: Assignment,
    solve_parts: int | None = None,
    share: float = LP_SHARE,
    when_short: bool = False,
    priced: list[int] | None = None,
) -> Guidance:
    """LP relaxation of one component on the model candidates, and a proved bound from it.

    A large component's LP is solved in parts; the parts solved before a stop are a prefix,
    counted in `stats["solved"]`, and each solved part's pricing rounds in `stats["priced"]`.
    `solve_parts` and `priced` (replay) repeat exactly those (`priced` None with `solve_parts`
    set: a record made before pricing, none). `share`: the
    most of the time left the LP may take. `when_short`: solve it even when it cannot finish in
    the time left (a part's bound, whose one task is the LP)."""
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
    limit = run.cap(max(1.0, min(60.0, run.left() * share * workers / len(parts))))
    # No part starts after the LP's share of the time is spent (a part's limit has a floor of
    # 1 s: on a short limit the parts alone would take more than the share, and the stages
    # after it none).
    lp_end = math.inf if when_short else t0 + max(0.0, run.left()) * share
    # Nor does the LP start when it cannot finish (a town of 2,217 needs: 2.3 s, building
    # included), and an LP cut short guides nothing; the greedy answer then stands. At 10 us a
    # pair eight towns at --time-limit 20 skipped most of their LPs, and lost 0.65% to the
    # code before this rule (which solved every LP, late).
    pairs = len(prob.cands.team) + len(prob.cands.lead) + len(prob.cands.res)
    if not when_short and run.left() < LP_MIN_LEFT + LP_SECONDS_PER_PAIR * pairs * len(comp) / max(
        1, prob.n_needs
    ):
        lp_end = t0

    def one(i: int) -> _Part | None:
        if solve_parts is None:
            late = run.stopped() or time.monotonic() >= lp_end
        else:
            late = i >= solve_parts
        if late or run.halt.is_set():
            return None
        part_caps = caps if len(parts) == 1 else _shares(prob, parts[i], comp, caps)
        rounds = None
        if solve_parts is not None:
            rounds = priced[i] if priced is not None and i < len(priced) else 0
        return _lp_part(prob, parts[i], part_caps, limit, run.halt, rounds)

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
    stats["priced"] = [int(r.stats["priced"]) for r in results]
    stats["pricing_cut"] = sum(bool(r.stats.get("pricing_cut")) for r in results)
    added = (
        np.concatenate([np.zeros(0, np.int64), *(r.added[0] for r in results)]),
        np.concatenate([np.zeros(0, np.int64), *(r.added[1] for r in results)]),
    )
    stats["pairs_added"] = len(added[0]) + len(added[1])
    if len(parts) == 1 and results and results[0].bound is not None:
        bound = results[0].bound  # pricing's last check: the same prices, the same capacities
    else:
        bound = lagrangian_bound(prob, prob.full, comp, u[0], u[1], u[2], u[3])
    stats["bound"] = round(bound, 2)
    stats["seconds"] = round(time.monotonic() - t0, 2)
    extra = added if stats["pairs_added"] else None
    return Guidance(bound, value, stats, uses[2], uses[1], uses[0], comp, extra)


def reusable(
    guide: Guidance | None, comp: IntArray, solve_parts: int | None, priced: list[int] | None = None
) -> bool:
    """Whether `guide`, computed earlier (a part's bound, partbound.py), is what `lp_guidance` on
    `comp` would compute now, so it need not be computed again: the same component, and then
    the recorded LP parts and pricing rounds when replaying; otherwise every part solved to its
    optimum (the bounds phase's shorter limit cut none short: GLOP is deterministic, so it is
    the LP). Pricing the bounds phase cut short (`stats["pricing_cut"]`) does not count against
    it: the bounds phase had the whole of the part's bound budget, the search has less."""
    if guide is None or guide.comp is None or not np.array_equal(guide.comp, comp):
        return False
    if solve_parts is not None:
        want = priced if priced is not None else [0] * solve_parts
        return bool(guide.stats["solved"] == solve_parts and guide.stats["priced"] == want)
    return bool(
        guide.stats["solved"] == guide.stats["parts"]
        and guide.stats["lp_status"] == [str(mbh.SolveStatus.OPTIMAL)]
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
    rounds: int | None = None,
) -> _Part:
    """One LP part solved, then priced (see PRICE_GAP): `rounds` (replay) pricing rounds
    exactly, else while the bound's gap, the round limit and the time allow."""
    t0 = time.monotonic()
    deadline = t0 + time_limit
    part = _solve_lp(prob, comp, caps, time_limit, cancel)
    n_people = len(prob.arr.p_cell)
    done, cut = 0, False
    added_l: list[IntArray] = []
    added_t: list[IntArray] = []
    while rounds is None or done < rounds:
        if part.uses is None or (cancel is not None and cancel.is_set()):
            break
        priced = price_needs(prob, prob.full, comp, part.duals)
        if rounds is None:
            value = float(part.stats["lp_value"])
            part.bound = bound_at(prob, priced, comp, part.duals, caps)
            if done >= PRICE_ROUNDS or part.bound - value <= PRICE_GAP * max(1.0, value):
                break
        new_l, new_t = _priced_pairs(prob, comp, priced, n_people)
        if not len(new_l) and not len(new_t):
            break
        last = float(part.stats["build_s"]) + float(part.stats["lp_s"])
        left = deadline - time.monotonic()
        if rounds is None and left < 2.0 * last:
            cut = True  # the bound is still loose, but another solve would not fit
            break
        cands = with_pairs(prob.cands, prob.full, new_l, new_t, n_people)
        bigger = replace(prob, cands=cands)
        again = _solve_lp(bigger, comp, caps, max(0.1, left), cancel)
        if again.stats["lp_status"] != str(mbh.SolveStatus.OPTIMAL):
            cut = True  # cut short by the clock: keep the last optimum
            break
        prob, part = bigger, again
        added_l.append(new_l)
        added_t.append(new_t)
        done += 1
    part.stats["priced"] = done
    if cut:
        part.stats["pricing_cut"] = True
    z = np.zeros(0, np.int64)
    part.added = (np.concatenate([z, *added_l]), np.concatenate([z, *added_t]))
    return part


def _priced_pairs(
    prob: Problem, comp: IntArray, pr: Priced, n_people: int
) -> tuple[IntArray, IntArray]:
    """Keys (need * people + person) of the lead and team pairs, not yet candidates, that the
    cheapest fulfilment of a need worth fulfilling at the prices `pr` was priced at takes."""
    full, arr = prob.full, prob.arr
    worth = arr.n_priority > pr.cost
    worth[list(prob.pins)] = True
    lead_idx = pr.lead_pick[comp][worth[comp] & (pr.lead_pick[comp] >= 0)]
    team_idx = np.flatnonzero(pr.team_pick & worth[full.team.need])
    c = prob.cands
    lead_keys = full.lead.need[lead_idx] * n_people + full.lead.ent[lead_idx]
    team_keys = full.team.need[team_idx] * n_people + full.team.ent[team_idx]
    lead_keys = lead_keys[~np.isin(lead_keys, c.lead.need * n_people + c.lead.ent)]
    team_keys = team_keys[~np.isin(team_keys, c.team.need * n_people + c.team.ent)]
    return np.unique(lead_keys), np.unique(team_keys)


def _solve_lp(
    prob: Problem,
    comp: IntArray,
    caps: Caps,
    time_limit: float,
    cancel: threading.Event | None = None,
) -> _Part:
    t0 = time.monotonic()
    arr = prob.arr
    k = columns(prob, comp)
    n_col = len(k.hi)
    lo = np.zeros(n_col)
    lo[[k.y_of[n] for n in prob.pins if k.y_of[n] >= 0]] = 1.0
    obj = np.zeros(n_col)
    obj[: len(comp)] = arr.n_priority[comp].astype(np.float64)
    rows = Rows()
    link_rows(prob, k, rows)
    skill_rows(prob, k, rows)
    item_rows(prob, k, rows)
    cap_rows = capacity_rows(prob, k, caps, rows)
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
