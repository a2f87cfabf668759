"""Vectorised candidate generation: every eligible (need, lead), (need, member), (need, resource).

Reach is an interval test on the Euler tour: pairs are expanded per (entity, category served)
from one contiguous slice of needs each, with their distances (expand.py), within the pair
budget (budget.py), and filtered by date overlap, household and forbid at once. Pairs
come out sorted by (need, distance, tie-break, entity), with CSR pointers per need, which is what
the greedy, the LP and the CP-SAT builders all slice. The sort packs the four keys into one int64
per pair (`_sorted_pairs`): `sandan solve` pays this once per process, before any search, so it
is kept to a fraction of a second on a town (BENCHMARKS.md, "Candidate generation").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from .budget import Thinning, plan
from .expand import Side, Window, expand
from .instance import Instance
from .tree import Tree

IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
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


def _interval(inst_vals: list[tuple[int, int]]) -> tuple[Int32Array, Int32Array]:
    # Day ordinals and the ±1e9 of an open interval fit int32: half the bytes per pair gathered.
    a = np.array([v[0] for v in inst_vals], dtype=np.int32).reshape(len(inst_vals))
    b = np.array([v[1] for v in inst_vals], dtype=np.int32).reshape(len(inst_vals))
    return a, b


def _household_pairs(inst: Instance) -> list[tuple[int, int]]:
    """(need, person) pairs sharing a household (a conflict of interest)."""
    members: dict[str, list[int]] = {}
    for i, p in enumerate(inst.people):
        if p.household:
            members.setdefault(p.household, []).append(i)
    return [
        (n, p)
        for n, x in enumerate(inst.needs)
        if x.household
        for p in members.get(x.household, ())
    ]


def _excluded(
    pn: IntArray, pe: IntArray, pairs: list[tuple[int, int]], n_needs: int, n_ent: int
) -> BoolArray:
    """Which (pn[i], pe[i]) are among `pairs` (need, entity). Only the pairs of needs that have
    one are looked up, so a few hundred forbids cost one gather over all pairs, not a sort."""
    out = np.zeros(len(pn), dtype=bool)
    if not pairs:
        return out
    keys = np.unique(np.array([n * n_ent + e for n, e in pairs], dtype=np.int64))
    flagged = np.zeros(n_needs, dtype=bool)
    flagged[keys // n_ent] = True
    idx = np.flatnonzero(flagged[pn])
    out[idx] = np.isin(pn[idx] * n_ent + pe[idx], keys)
    return out


def _sorted_pairs(
    need: IntArray,
    ent: IntArray,
    dist: IntArray,
    subsets: list[tuple[BoolArray | None, IntArray]],
    n_needs: int,
) -> list[Pairs]:
    """For each (keep, tiebreak) in `subsets`, the kept pairs sorted by (need, dist,
    tiebreak[ent], ent) (keep None = all). `dist` is consumed (overwritten).

    The four keys are packed into the bit fields of one int64, most significant first, and the
    keys themselves are sorted (no argsort, no gathers through a permutation) and read back.
    Entity comes last and (need, entity) is unique, so the order is total: it is the lexsort's,
    which remains the fallback for numbers too wide to pack. Every step writes in place where it
    can: fresh memory is most of the cost on a town (BENCHMARKS.md, "Candidate generation")."""
    lo = min((int(t.min()) for _, t in subsets if len(t)), default=0)
    hi = max((int(t.max()) for _, t in subsets if len(t)), default=0)
    d_lo, d_hi = (int(dist.min()), int(dist.max())) if len(dist) else (0, 0)
    n_ent = max((len(t) for _, t in subsets), default=0)
    b_e = max(n_ent - 1, 0).bit_length()
    b_t = (hi - lo).bit_length()
    b_d = d_hi.bit_length()
    b_n = max(n_needs - 1, 0).bit_length()
    if d_lo < 0 or b_e + b_t + b_d + b_n > 62:
        out = []
        for keep, tiebreak in subsets:
            sel = slice(None) if keep is None else keep
            nd, en, di = need[sel], ent[sel], dist[sel]
            order = np.lexsort((en, tiebreak[en], di, nd))
            nd = nd[order]
            out.append(Pairs(nd, en[order], di[order], _ptr(nd, n_needs)))
        return out
    sh_t, sh_d, sh_n = b_e, b_e + b_t, b_e + b_t + b_d
    base = need << sh_n
    np.left_shift(dist, sh_d, out=dist)
    base |= dist
    base |= ent
    e_mask = (1 << sh_t) - 1
    result = []
    for keep, tiebreak in subsets:
        key = base[keep] if keep is not None else base.copy() if len(subsets) > 1 else base
        tb = tiebreak - lo
        if tb.any():
            key |= (tb << sh_t)[key & e_mask]
        key.sort()
        nd = key >> sh_n
        di = key >> sh_d
        di &= (1 << b_d) - 1
        en = np.bitwise_and(key, e_mask, out=key)
        result.append(Pairs(nd, en, di, _ptr(nd, n_needs)))
    return result


@dataclass
class Prepared:
    """Everything about the entities and needs that a chunk of needs' pairs is made from, made
    once (chunked.py makes pairs a chunk at a time)."""

    tree: Tree
    arr: Arrays
    n_cat: IntArray
    n_lo: Int32Array
    n_hi: Int32Array
    p_reach: IntArray
    p_cat: IntArray
    p_lo: Int32Array
    p_hi: Int32Array
    wants_people: BoolArray
    excluded: list[tuple[int, int]]  # (need, person): households and forbids
    p_hours: Int32Array
    n_hours: Int32Array
    team_rule: BoolArray
    team_key: IntArray
    lead_key: IntArray
    n_kinds: IntArray
    r_reach: IntArray
    r_cat: IntArray
    r_lo: Int32Array
    r_hi: Int32Array
    pinned: BoolArray  # needs that keep every pair whatever the budget: a pin must find its person
    thinning: Thinning  # the pair budget's windows, and the needs they cut (budget.py)

    @property
    def n_needs(self) -> int:
        return len(self.n_cat)


def team_tiebreak(arr: Arrays) -> IntArray:
    """Tie-break among equally near members: spare lead-capable people and skilled people for
    the needs that cannot do without them (lower key = preferred)."""
    n_people = len(arr.p_cell)
    return np.array(
        [
            (1 if arr.p_lead[i] > 0 else 0) * 4 + min(3, len(arr.p_skills[i]))
            for i in range(n_people)
        ],
        dtype=np.int64,
    ).reshape(n_people)


def prepare(inst: Instance, tree: Tree, arr: Arrays, budget: int | None = None) -> Prepared:
    """What every chunk's pairs are made from; `budget`: most pairs kept (None: all)."""
    n_needs, n_people, n_res = len(inst.needs), len(arr.p_cell), len(arr.r_cell)
    n_lo, n_hi = _interval([n.window for n in inst.needs])
    p_lo, p_hi = _interval([p.available for p in inst.people])
    r_lo, r_hi = _interval([r.available for r in inst.resources])
    # team: the need wants members, the person may take a deed and has the hours. Folded into one
    # comparison per pair: a person without deeds gets hours below every need's, a need without
    # members hours above every person's (hours are at most 1e6 x 100: int32).
    team_rule = arr.n_vol >= 1
    low = int(arr.n_hours.min()) - 1 if n_needs else 0
    high = max(int(arr.p_hours.max()) + 1 if n_people else 0, low + 1)
    team_key = team_tiebreak(arr)
    n_kinds = np.zeros(n_needs, dtype=np.int64)
    for i, items in enumerate(arr.n_items):
        for k, _ in items:
            n_kinds[i] |= 1 << k
    r_cat = np.array([r.categories for r in inst.resources], dtype=np.int64).reshape(n_res)
    n_cat = np.array([n.category for n in inst.needs], dtype=np.int64).reshape(n_needs)
    p_reach = np.array([p.reach for p in inst.people], dtype=np.int64).reshape(n_people)
    p_cat = np.array([p.categories for p in inst.people], dtype=np.int64).reshape(n_people)
    r_reach = np.array([r.reach for r in inst.resources], dtype=np.int64).reshape(n_res)
    # A resource without capacity serves nobody: dropped before its pairs are made.
    r_cat = np.where(arr.r_cap > 0, r_cat, 0)
    # Only needs wanting a lead or a team have a person's pair; only those asking a kind a
    # resource's.
    wants_people = arr.n_lead | team_rule
    # Pinned needs are counted outside the budget: they keep every pair.
    pinned = np.zeros(n_needs, dtype=bool)
    pinned[[p.need for p in inst.pins]] = True
    everyone = np.arange(n_needs, dtype=np.int64)
    thinning = plan(
        tree,
        arr.n_cell,
        n_cat,
        Side(arr.p_cell, p_reach, p_cat, everyone[wants_people & ~pinned]),
        Side(arr.r_cell, r_reach, r_cat, everyone[(n_kinds != 0) & ~pinned]),
        budget,
    )
    return Prepared(
        tree=tree,
        arr=arr,
        n_cat=n_cat,
        n_lo=n_lo,
        n_hi=n_hi,
        p_reach=p_reach,
        p_cat=p_cat,
        p_lo=p_lo,
        p_hi=p_hi,
        wants_people=wants_people,
        excluded=_household_pairs(inst) + list(inst.forbid),
        p_hours=np.where(arr.p_deeds >= 1, arr.p_hours, low).astype(np.int32),
        n_hours=np.where(team_rule, arr.n_hours, high).astype(np.int32),
        team_rule=team_rule,
        team_key=team_key,
        lead_key=np.zeros(n_people, dtype=np.int64),
        n_kinds=n_kinds,
        r_reach=r_reach,
        r_cat=r_cat,
        r_lo=r_lo,
        r_hi=r_hi,
        pinned=pinned,
        thinning=thinning,
    )


def generate(inst: Instance, tree: Tree, arr: Arrays, budget: int | None = None) -> Candidates:
    """Every eligible pair under the contract's rules (reach, category, time, household, forbid,
    lead rule), plus the members' hours and max_deeds, which no choice of others can change;
    within `budget` pairs (budget.py; None: all)."""
    prep = prepare(inst, tree, arr, budget)
    return generate_for(prep, np.arange(len(inst.needs), dtype=np.int64))


def _expanded(prep: Prepared, side: Side, window: Window | None) -> tuple[IntArray, ...]:
    """`expand` within the budget's window, but for the pinned needs (they keep every pair)."""
    tree, n_cell, n_cat = prep.tree, prep.arr.n_cell, prep.n_cat
    if window is None:
        return expand(tree, side, n_cell, n_cat)
    pinned = prep.pinned[side.needs]
    kept = expand(tree, replace(side, needs=side.needs[~pinned]), n_cell, n_cat, window)
    if not pinned.any():
        return kept
    every = expand(tree, replace(side, needs=side.needs[pinned]), n_cell, n_cat)
    return tuple(np.concatenate(x) for x in zip(kept, every, strict=True))


def generate_for(prep: Prepared, needs: IntArray) -> Candidates:
    """`generate`'s pairs of `needs` only (the other needs get none); `needs` ascending."""
    arr, n_needs, n_lo, n_hi = prep.arr, prep.n_needs, prep.n_lo, prep.n_hi

    # ---- people
    p_cell = arr.p_cell
    n_people = len(p_cell)
    wanted = needs[prep.wants_people[needs]]
    people = Side(p_cell, prep.p_reach, prep.p_cat, wanted)
    pe, pn, pdist = _expanded(prep, people, prep.thinning.people)
    ok = prep.p_lo[pe] <= n_hi[pn]
    ok &= n_lo[pn] <= prep.p_hi[pe]
    ok &= ~_excluded(pn, pe, prep.excluded, n_needs, n_people)

    # The masks select from the unfiltered pairs (no compressed copies of them: memory).
    lead_ok = (arr.p_lead >= 1)[pe]
    lead_ok &= arr.n_lead[pn]
    lead_ok &= ok
    team_ok = prep.p_hours[pe] >= prep.n_hours[pn]
    team_ok &= ok
    team_rule_count = np.bincount(pn[ok], minlength=n_needs).astype(np.int64) * prep.team_rule
    lead, team = _sorted_pairs(
        pn, pe, pdist, [(lead_ok, prep.lead_key), (team_ok, prep.team_key)], n_needs
    )

    # ---- resources (only for needs requesting their kind)
    n_kinds = prep.n_kinds
    asking = needs[n_kinds[needs] != 0]
    resources = Side(arr.r_cell, prep.r_reach, prep.r_cat, asking)
    re_, rn, rdist = _expanded(prep, resources, prep.thinning.res)
    ok = ((n_kinds[rn] >> arr.r_kind[re_]) & 1).astype(bool)
    ok &= prep.r_lo[re_] <= n_hi[rn]
    ok &= n_lo[rn] <= prep.r_hi[re_]
    re_, rn, rdist = re_[ok], rn[ok], rdist[ok]
    # Larger resources first among equals: fewer splits, fewer resources per deed.
    (res,) = _sorted_pairs(rn, re_, rdist, [(None, -arr.r_cap)], n_needs)
    return Candidates(lead, team, res, team_rule_count)
