"""Vectorised candidate generation: every eligible (need, lead), (need, member), (need, resource).

Reach is an interval test on the Euler tour: needs are sorted by the entry time of their cell, so
the needs inside an entity's reach cell are one contiguous slice `[lo, hi)`; all pairs are expanded
with `np.repeat` and filtered by category bit masks, date overlap, household and forbid keys at
once. Pairs come out sorted by (need, distance, tie-break), with CSR pointers per need, which is
what the greedy, the LP and the CP-SAT builders all slice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .instance import Instance
from .tree import Tree

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass
class Arrays:
    """Per-entity numbers the models need, with hours scaled to integers."""

    hour_scale: int
    p_hours: IntArray
    p_deeds: IntArray
    p_lead: IntArray
    p_cell: IntArray
    r_cap: IntArray
    r_kind: IntArray
    r_cell: IntArray
    n_cell: IntArray
    n_priority: IntArray
    n_lead: BoolArray
    n_vol: IntArray
    n_hours: IntArray
    skill_ids: dict[str, int]
    n_skills: list[tuple[int, ...]]  # requested skills (ids) per need
    p_skills: list[frozenset[int]]  # requested skills held, per person
    n_items: list[tuple[tuple[int, int], ...]]  # (kind, quantity) per need


def build_arrays(inst: Instance) -> Arrays:
    hours = [p.hours for p in inst.people] + [n.hours for n in inst.needs]
    # CP-SAT needs integers; centi-hours keep fractional inputs exact enough (rounded safely).
    scale = 1 if all(float(h).is_integer() for h in hours) else 100
    skill_ids: dict[str, int] = {}
    for n in inst.needs:
        for s in n.skills:
            skill_ids.setdefault(s, len(skill_ids))
    return Arrays(
        hour_scale=scale,
        p_hours=np.array([math.floor(p.hours * scale + 1e-9) for p in inst.people], dtype=np.int64),
        p_deeds=np.array([p.max_deeds for p in inst.people], dtype=np.int64),
        p_lead=np.array([p.max_lead if p.party_member else 0 for p in inst.people], dtype=np.int64),
        p_cell=np.array([p.cell for p in inst.people], dtype=np.int64),
        r_cap=np.array([r.capacity for r in inst.resources], dtype=np.int64),
        r_kind=np.array([r.kind for r in inst.resources], dtype=np.int64),
        r_cell=np.array([r.cell for r in inst.resources], dtype=np.int64),
        n_cell=np.array([n.cell for n in inst.needs], dtype=np.int64),
        n_priority=np.array([n.priority for n in inst.needs], dtype=np.int64),
        n_lead=np.array([n.lead for n in inst.needs], dtype=np.bool_),
        n_vol=np.array([n.volunteers for n in inst.needs], dtype=np.int64),
        n_hours=np.array([math.ceil(n.hours * scale - 1e-9) for n in inst.needs], dtype=np.int64),
        skill_ids=skill_ids,
        n_skills=[tuple(skill_ids[s] for s in n.skills) for n in inst.needs],
        p_skills=[frozenset(skill_ids[s] for s in p.skills if s in skill_ids) for p in inst.people],
        n_items=[n.items for n in inst.needs],
    )


@dataclass
class Pairs:
    """Candidate pairs sorted by need; `ptr[n]:ptr[n+1]` slices need n's candidates."""

    need: IntArray
    ent: IntArray
    dist: IntArray
    ptr: IntArray

    def __len__(self) -> int:
        return len(self.need)

    def of(self, n: int) -> slice:
        return slice(int(self.ptr[n]), int(self.ptr[n + 1]))

    def select(self, keep: BoolArray, n_needs: int) -> Pairs:
        need = self.need[keep]
        return Pairs(need, self.ent[keep], self.dist[keep], _ptr(need, n_needs))


@dataclass
class Candidates:
    lead: Pairs
    team: Pairs
    res: Pairs
    # Pairs failing only the person's hours (or max_deeds) — kept to explain HOURS_SHORT.
    team_rule_count: IntArray


def _ptr(need: IntArray, n_needs: int) -> IntArray:
    ptr = np.zeros(n_needs + 1, dtype=np.int64)
    np.cumsum(np.bincount(need, minlength=n_needs), out=ptr[1:])
    return ptr


def _interval(inst_vals: list[tuple[int, int]]) -> tuple[IntArray, IntArray]:
    a = np.array([v[0] for v in inst_vals], dtype=np.int64).reshape(len(inst_vals))
    b = np.array([v[1] for v in inst_vals], dtype=np.int64).reshape(len(inst_vals))
    return a, b


def _households(
    inst: Instance,
) -> tuple[IntArray, IntArray]:
    codes: dict[str, int] = {}
    p = [codes.setdefault(x.household, len(codes)) if x.household else -1 for x in inst.people]
    n = [codes.setdefault(x.household, len(codes)) if x.household else -2 for x in inst.needs]
    return np.array(p, dtype=np.int64), np.array(n, dtype=np.int64)


def _expand(
    tree: Tree,
    ent_cell: IntArray,
    ent_reach: IntArray,
    need_cell: IntArray,
    needs: IntArray,
) -> tuple[IntArray, IntArray]:
    """All (entity, need) pairs, of `needs` only, where the need's cell is inside the entity's
    reach subtree."""
    need_tin = tree.tin[need_cell[needs]]
    order = np.argsort(need_tin, kind="stable")
    sorted_tin = need_tin[order]
    rc = tree.reach_cell(ent_cell, ent_reach)
    lo = np.searchsorted(sorted_tin, tree.tin[rc], side="left")
    hi = np.searchsorted(sorted_tin, tree.tout[rc], side="right")
    counts = hi - lo
    total = int(counts.sum())
    ent = np.repeat(np.arange(len(ent_cell), dtype=np.int64), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    pos = np.arange(total, dtype=np.int64) - starts + np.repeat(lo, counts)
    return ent, needs[order[pos]]


def _sorted_pairs(
    need: IntArray, ent: IntArray, dist: IntArray, tiebreak: IntArray, n_needs: int
) -> Pairs:
    order = np.lexsort((ent, tiebreak[ent], dist, need))
    need = need[order]
    return Pairs(need, ent[order], dist[order], _ptr(need, n_needs))


@dataclass
class Prepared:
    """What every chunk of needs' pairs is made from (chunked.py)."""

    inst: Instance
    tree: Tree
    arr: Arrays
    n_needs: int


def prepare(inst: Instance, tree: Tree, arr: Arrays) -> Prepared:
    return Prepared(inst, tree, arr, len(inst.needs))


def generate_for(prep: Prepared, needs: IntArray) -> Candidates:
    """The pairs of `needs` only (the other needs get none)."""
    return generate(prep.inst, prep.tree, prep.arr, needs)


def generate(inst: Instance, tree: Tree, arr: Arrays, needs: IntArray | None = None) -> Candidates:
    """Every eligible pair under the contract's rules (reach, category, time, household, forbid,
    lead rule), plus the members' hours and max_deeds, which no choice of others can change;
    of `needs` only when given."""
    n_needs = len(inst.needs)
    if needs is None:
        needs = np.arange(n_needs, dtype=np.int64)
    n_cat = np.array([n.category for n in inst.needs], dtype=np.int64).reshape(n_needs)
    n_lo, n_hi = _interval([n.window for n in inst.needs])
    p_hh, n_hh = _households(inst)

    # ---- people
    p_cell = arr.p_cell
    p_reach = np.array([p.reach for p in inst.people], dtype=np.int64).reshape(len(p_cell))
    p_cat = np.array([p.categories for p in inst.people], dtype=np.int64).reshape(len(p_cell))
    p_lo, p_hi = _interval([p.available for p in inst.people])
    pe, pn = _expand(tree, p_cell, p_reach, arr.n_cell, needs)
    ok = ((p_cat[pe] >> n_cat[pn]) & 1).astype(bool)
    ok &= (p_lo[pe] <= n_hi[pn]) & (n_lo[pn] <= p_hi[pe])
    ok &= p_hh[pe] != n_hh[pn]
    if inst.forbid:
        keys = np.array([n * len(p_cell) + p for n, p in inst.forbid], dtype=np.int64)
        ok &= ~np.isin(pn * len(p_cell) + pe, keys)
    pe, pn = pe[ok], pn[ok]
    pdist = tree.distance(p_cell[pe], arr.n_cell[pn])

    lead_ok = (arr.p_lead[pe] >= 1) & arr.n_lead[pn]
    team_rule = arr.n_vol[pn] >= 1
    team_ok = team_rule & (arr.p_deeds[pe] >= 1) & (arr.p_hours[pe] >= arr.n_hours[pn])
    team_rule_count = np.bincount(pn[team_rule], minlength=n_needs).astype(np.int64)

    # Tie-break among equally near people: spare lead-capable people and skilled people for the
    # needs that cannot do without them (lower key = preferred).
    n_people = len(p_cell)
    team_key = np.array(
        [
            (1 if arr.p_lead[i] > 0 else 0) * 4 + min(3, len(arr.p_skills[i]))
            for i in range(n_people)
        ],
        dtype=np.int64,
    ).reshape(n_people)
    lead_key = np.zeros(n_people, dtype=np.int64)
    lead = _sorted_pairs(pn[lead_ok], pe[lead_ok], pdist[lead_ok], lead_key, n_needs)
    team = _sorted_pairs(pn[team_ok], pe[team_ok], pdist[team_ok], team_key, n_needs)

    # ---- resources (only for needs requesting their kind)
    n_kinds = np.zeros(n_needs, dtype=np.int64)
    for i, items in enumerate(arr.n_items):
        for k, _ in items:
            n_kinds[i] |= 1 << k
    r_reach = np.array([r.reach for r in inst.resources], dtype=np.int64).reshape(len(arr.r_cell))
    r_cat = np.array([r.categories for r in inst.resources], dtype=np.int64).reshape(
        len(arr.r_cell)
    )
    r_lo, r_hi = _interval([r.available for r in inst.resources])
    re_, rn = _expand(tree, arr.r_cell, r_reach, arr.n_cell, needs)
    ok = ((r_cat[re_] >> n_cat[rn]) & 1).astype(bool)
    ok &= ((n_kinds[rn] >> arr.r_kind[re_]) & 1).astype(bool)
    ok &= (r_lo[re_] <= n_hi[rn]) & (n_lo[rn] <= r_hi[re_])
    ok &= arr.r_cap[re_] > 0
    re_, rn = re_[ok], rn[ok]
    rdist = tree.distance(arr.r_cell[re_], arr.n_cell[rn])
    # Larger resources first among equals: fewer splits, fewer resources per deed.
    res = _sorted_pairs(rn, re_, rdist, -arr.r_cap, n_needs)
    return Candidates(lead, team, res, team_rule_count)


def prune(c: Candidates, arr: Arrays, k_team: int, k_skill: int, k_lead: int) -> Candidates:
    """Keep, per need, the nearest `k_team` members, the nearest `k_skill` holders of each requested
    skill and the nearest `k_lead` leads (resources are scarce and few: all are kept). Far-away
    candidates cost distance and are rarely needed, and dropping them shrinks every model."""
    n_needs = len(arr.n_cell)

    def rank(p: Pairs, sub: BoolArray) -> IntArray:
        idx = np.flatnonzero(sub)
        needs = p.need[idx]
        first = np.zeros(n_needs, dtype=np.int64)
        uniq, starts = np.unique(needs, return_index=True)
        first[uniq] = starts
        r = np.full(len(p), 1 << 40, dtype=np.int64)
        r[idx] = np.arange(len(idx), dtype=np.int64) - first[needs]
        return r

    t = c.team
    keep = rank(t, np.ones(len(t), dtype=bool)) < k_team
    by_skill: dict[int, list[int]] = {}
    for i, sk in enumerate(arr.p_skills):
        for s in sk:
            by_skill.setdefault(s, []).append(i)
    for s, holders in by_skill.items():
        holds = np.zeros(len(arr.p_cell), dtype=bool)
        holds[holders] = True
        wants = np.array([s in sk for sk in arr.n_skills], dtype=bool).reshape(n_needs)
        sub = holds[t.ent] & wants[t.need]
        keep |= sub & (rank(t, sub) < k_skill)
    lp = c.lead
    keep_l = rank(lp, np.ones(len(lp), dtype=bool)) < k_lead
    return Candidates(lp.select(keep_l, n_needs), t.select(keep, n_needs), c.res, c.team_rule_count)
