"""Valid upper bounds on a set of needs' priority sum, cheap enough to compute on any instance.

`trivial_bound`: each need's priority if it passes every single-need check. `lagrangian_bound`:
for any non-negative prices u on the capacity rows,

    sum_e u_e * capacity_e + sum_n max(0, priority_n - cheapest_n(u))

where cheapest_n(u) is a lower bound on what it costs to fulfil need n alone at those prices
(cheapest lead + the `volunteers` cheapest members + the cheapest units of each kind), computed
over *every* eligible pair with numpy. With the LP's optimal duals (lp.py) it is close to the LP.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .eligibility import Candidates, FloatArray, IntArray
from .instance import N_KINDS
from .lprows import Caps, capacities
from .problem import Problem

# The cost of what cannot be fulfilled at all.
INF = 1e18


@dataclass
class Priced:
    """Each need's cheapest fulfilment at given prices (see `price_needs`)."""

    cost: FloatArray  # per need: a lower bound on its cost (INF or more: cannot be fulfilled)
    people: npt.NDArray[np.bool_]  # the component's people (their capacities are priced)
    resources: npt.NDArray[np.bool_]
    lead_pick: IntArray  # per need, the index in `full.lead` of its cheapest lead (-1: none)
    team_pick: npt.NDArray[np.bool_]  # over `full.team`: the members the cost counted


def lagrangian_bound(
    prob: Problem,
    full: Candidates,
    comp: IntArray,
    u_lead: FloatArray,
    u_deeds: FloatArray,
    u_hours: FloatArray,
    u_res: FloatArray,
    caps: Caps | None = None,
) -> float:
    """Upper bound on the component's priority sum for prices u >= 0 (see module docstring).

    `caps`: the capacities the prices are charged on (default: the entities' own; an LP part
    of a larger component has its share of them)."""
    pr = price_needs(prob, full, comp, (u_lead, u_deeds, u_hours, u_res))
    return bound_at(prob, pr, comp, (u_lead, u_deeds, u_hours, u_res), caps)


def bound_at(prob: Problem, pr: Priced, comp: IntArray, u: Caps, caps: Caps | None) -> float:
    """`lagrangian_bound` from the needs' costs already priced at u."""
    u_lead, u_deeds, u_hours, u_res = u
    arr = prob.arr
    gain = np.maximum(0.0, arr.n_priority - pr.cost)
    pinned = np.zeros(prob.n_needs, dtype=bool)
    pinned[list(prob.pins)] = True
    # A pinned need is fulfilled whatever it costs: its term may be negative.
    gain = np.where(pinned & (pr.cost < INF), arr.n_priority - pr.cost, gain)
    in_comp = np.zeros(prob.n_needs, dtype=bool)
    in_comp[comp] = True
    if caps is None:
        caps = capacities(arr)
    total = float(gain[in_comp].sum())
    total += float((u_lead * caps[0] + u_deeds * caps[1] + u_hours * caps[2])[pr.people].sum())
    total += float((u_res * caps[3])[pr.resources].sum())
    return total


def price_needs(prob: Problem, full: Candidates, comp: IntArray, u: Caps) -> Priced:
    """What fulfilling each need of `comp` alone costs at least at prices u (lead, deeds, hours,
    resource units), over every pair in `full`: the cheapest lead + the `volunteers` cheapest
    members + the cheapest units of each kind; and which lead and members that choice takes."""
    u_lead, u_deeds, u_hours, u_res = u
    arr = prob.arr
    n_needs = prob.n_needs
    in_comp = np.zeros(n_needs, dtype=bool)
    in_comp[comp] = True
    # Entities of the component (only their capacities are priced here).
    pe = np.zeros(len(u_lead), dtype=bool)
    re_ = np.zeros(len(u_res), dtype=bool)
    cost = np.zeros(n_needs)
    # lead: the cheapest eligible lead
    lk = np.flatnonzero(in_comp[full.lead.need])
    ln, le = full.lead.need[lk], full.lead.ent[lk]
    pe[le] = True
    lead_cost = np.full(n_needs, INF)
    np.minimum.at(lead_cost, ln, u_lead[le])
    cost += np.where(arr.n_lead, lead_cost, 0.0)
    lead_pick = np.full(n_needs, -1, dtype=np.int64)
    firsts = _cheapest_per_need(ln, u_lead[le])
    lead_pick[ln[firsts]] = lk[firsts]
    # team: the `volunteers` cheapest eligible members
    tk = np.flatnonzero(in_comp[full.team.need])
    tn, te = full.team.need[tk], full.team.ent[tk]
    pe[te] = True
    tc = u_deeds[te] + arr.n_hours[tn] * u_hours[te]
    order = np.lexsort((tc, tn))
    tn_s, tc_s = tn[order], tc[order]
    first = np.searchsorted(tn_s, tn_s, side="left")
    rank = np.arange(len(tn_s)) - first
    take = rank < arr.n_vol[tn_s]
    team_pick = np.zeros(len(full.team), dtype=bool)
    team_pick[tk[order[take]]] = True
    team_cost = np.bincount(tn_s[take], weights=tc_s[take], minlength=n_needs)
    team_count = np.bincount(tn_s, minlength=n_needs)
    cost += np.where(team_count >= arr.n_vol, team_cost, INF)
    # Skills: the team must hold each requested skill. For one skill s the cheapest such team
    # costs the v cheapest plus max(0, cheapest holder - v-th cheapest); the max over the need's
    # skills is a valid lower bound for several.
    vth = np.zeros(n_needs)
    last = take & (rank == arr.n_vol[tn_s] - 1)
    vth[tn_s[last]] = tc_s[last]
    extra = np.zeros(n_needs)
    holder_sets = _skill_holders(prob)
    nobody = np.zeros(len(arr.p_cell), dtype=bool)
    asked: dict[int, list[int]] = {}
    for n in comp.tolist():
        for s in arr.n_skills[n]:
            asked.setdefault(s, []).append(n)
    for s in sorted(asked):
        # A skill nobody holds makes its needs impossible (infinite cost), as does any skill
        # asked of a need without a team: only team members count.
        holders = holder_sets.get(s, nobody)
        wants = np.zeros(n_needs, dtype=bool)
        wants[asked[s]] = True
        extra = np.where(wants & (arr.n_vol == 0), INF, extra)
        sub = np.flatnonzero(wants[tn] & holders[te])
        best = np.full(n_needs, INF)
        np.minimum.at(best, tn[sub], tc[sub])
        extra = np.where(wants, np.maximum(extra, best - vth), extra)
        # The cheapest holder is part of that cheapest team.
        team_pick[tk[sub[_cheapest_per_need(tn[sub], tc[sub])]]] = True
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
    cost = np.where(short, INF, cost)
    return Priced(cost, pe, re_, lead_pick, team_pick)


def _cheapest_per_need(need: IntArray, price: FloatArray) -> IntArray:
    """Index (into `need`) of the cheapest entry of each need present, ties by position."""
    order = np.lexsort((price, need))
    first = np.ones(len(order), dtype=bool)
    first[1:] = need[order][1:] != need[order][:-1]
    out: IntArray = order[first]
    return out


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
