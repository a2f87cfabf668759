"""LP-guided decomposition: share capacity between regions as the LP did, then solve them apart.

Regions (about a village each) are coupled only through people and resources that several of them
may use. The LP relaxation says how much of each shared entity every region should get; rounding
those shares (largest remainder, never above capacity) gives each region private *quotas*, after
which the regions are independent: each is solved by CP-SAT on its own, two at a time in threads
(CP-SAT releases the GIL), and the answers add up without any capacity clash.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from .assignment import Assignment, Deed
from .cpsat import Search, SubResult, solve_weighted
from .eligibility import BoolArray, FloatArray, IntArray
from .lp import Guidance
from .problem import Problem


@dataclass
class Quotas:
    """How shared capacity is split between regions.

    Resources (the scarce part) are split unit by unit as the LP split them. People are plentiful
    and their LP use is spread thinly (0.3 of a deed here, 0.2 there), which rounds down to
    nothing; so each shared person is given whole to one *owner* region instead: the one where the
    LP used them most (or, if unused, where they have most candidate needs).
    """

    owner: IntArray  # per person: owning region, -1 if not shared (free to its only region)
    lead: list[dict[int, int]]  # per region: shared person -> leads (LP share, rounded)
    deeds: list[dict[int, int]]  # per region: shared person -> deeds (LP share, rounded)
    res: list[dict[int, int]]  # per region: shared resource -> units
    lead_spare: IntArray  # per person: capacity no region's share took (goes to the owner)
    deeds_spare: IntArray
    shared_r: BoolArray  # shared resources absent from a region's dict get nothing there


def _shared(ent: IntArray, reg: IntArray, n_ent: int, n_reg: int) -> BoolArray:
    """Entities with candidate needs in more than one region."""
    key = np.unique(ent * n_reg + reg)
    counts = np.bincount(key // n_reg, minlength=n_ent)
    out: BoolArray = counts > 1
    return out


def _round_shares(
    ent: IntArray, reg: IntArray, use: FloatArray, cap: IntArray, n_reg: int, n_regions: int
) -> list[dict[int, int]]:
    """Largest-remainder rounding of each entity's LP use per region, never above capacity."""
    out: list[dict[int, int]] = [{} for _ in range(n_regions)]
    if len(ent) == 0:
        return out
    key = ent * n_reg + reg
    uk, inv = np.unique(key, return_inverse=True)
    agg = np.bincount(inv, weights=use)
    e, r = uk // n_reg, uk % n_reg
    base = np.floor(agg + 1e-6).astype(np.int64)
    frac = agg - base
    spare = cap.copy()
    np.subtract.at(spare, e, base)
    order = np.lexsort((-frac, e))
    e_o = e[order]
    first = np.searchsorted(e_o, e_o, side="left")
    rank = np.arange(len(e_o)) - first
    plus = np.zeros(len(e), dtype=np.int64)
    plus[order] = ((rank < spare[e_o]) & (frac[order] > 1e-6)).astype(np.int64)
    q = np.minimum(base + plus, cap[e])
    for ei, ri, qi in zip(e.tolist(), r.tolist(), q.tolist(), strict=True):
        out[ri][ei] = qi
    return out


def quotas(prob: Problem, guide: Guidance, regs: list[list[int]], left: Assignment) -> Quotas:
    arr, c = prob.arr, prob.cands
    n_regions = len(regs)
    region_of = np.full(prob.n_needs, -1, dtype=np.int64)
    for i, r in enumerate(regs):
        region_of[r] = i
    n_p, n_r = len(arr.p_cell), len(arr.r_cap)

    def pairs_in(need: IntArray, ent: IntArray) -> tuple[IntArray, IntArray]:
        reg = region_of[need]
        keep = reg >= 0
        return ent[keep], reg[keep]

    shared_p = np.zeros(n_p, dtype=bool)
    for pairs in (c.lead, c.team):
        e, g = pairs_in(pairs.need, pairs.ent)
        shared_p |= _shared(e, g, n_p, n_regions)
    e, g = pairs_in(c.res.need, c.res.ent)
    shared_r = _shared(e, g, n_r, n_regions)

    def split(
        use: tuple[IntArray, IntArray, FloatArray] | None,
        mask: BoolArray,
        cap: IntArray,
    ) -> list[dict[int, int]]:
        out: list[dict[int, int]] = [{} for _ in range(n_regions)]
        if use is None:
            return out
        need, ent, val = use
        reg = region_of[need]
        keep = (reg >= 0) & mask[ent] & (val > 1e-9)
        res = _round_shares(ent[keep], reg[keep], val[keep], cap, n_regions, n_regions)
        return res

    res_q = split(guide.res_use, shared_r, left.cap_left)
    lead_q = split(guide.lead_use, shared_p, left.lead_left)
    deeds_q = split(guide.team_use, shared_p, left.deeds_left)
    lead_spare = left.lead_left.copy()
    deeds_spare = left.deeds_left.copy()
    for spare, qs in ((lead_spare, lead_q), (deeds_spare, deeds_q)):
        for qd in qs:
            for p, k in qd.items():
                spare[p] -= k
    # Owner of each shared person: most LP use (leads count double: fewer people may lead),
    # ties and unused people by the number of candidate pairs in the region.
    keys_all: list[IntArray] = []
    weights_all: list[FloatArray] = []
    for use, w in ((guide.lead_use, 2.0), (guide.team_use, 1.0)):
        if use is None:
            continue
        need, ent, val = use
        reg = region_of[need]
        keep = (reg >= 0) & shared_p[ent]
        keys_all.append(ent[keep] * n_regions + reg[keep])
        weights_all.append(val[keep] * w * 1000.0)
    for pairs in (c.lead, c.team):
        reg = region_of[pairs.need]
        keep = (reg >= 0) & shared_p[pairs.ent]
        keys_all.append(pairs.ent[keep] * n_regions + reg[keep])
        weights_all.append(np.ones(int(keep.sum())))
    owner = np.full(n_p, -1, dtype=np.int64)
    keys = np.concatenate([np.zeros(0, dtype=np.int64), *keys_all])
    if len(keys):  # (a component of one region shares nobody)
        weights = np.concatenate(weights_all)
        uk, inv = np.unique(keys, return_inverse=True)
        score = np.bincount(inv, weights=weights)
        o_ent, o_reg = uk // n_regions, uk % n_regions
        order = np.lexsort((o_reg, -score, o_ent))
        first = np.r_[True, o_ent[order][1:] != o_ent[order][:-1]]
        owner[o_ent[order][first]] = o_reg[order][first]
    return Quotas(owner, lead_q, deeds_q, res_q, lead_spare, deeds_spare, shared_r)


def _region_left(left: Assignment, q: Quotas, i: int) -> Assignment:
    lead, deeds = left.lead_left.copy(), left.deeds_left.copy()
    hours, cap = left.hours_left.copy(), left.cap_left.copy()
    # A shared person gives each region its rounded LP share; what no share took goes to the
    # owner region. Hours follow the deeds in proportion.
    shared = q.owner >= 0
    mine = q.owner == i
    lead[shared] = np.where(mine[shared], q.lead_spare[shared], 0)
    deeds[shared] = np.where(mine[shared], q.deeds_spare[shared], 0)
    for arr_, quota in ((lead, q.lead[i]), (deeds, q.deeds[i])):
        if quota:
            idx = np.fromiter(quota.keys(), dtype=np.int64, count=len(quota))
            val = np.fromiter(quota.values(), dtype=np.int64, count=len(quota))
            arr_[idx] += val
    total = np.maximum(1, left.deeds_left)
    hours[shared] = (left.hours_left[shared] * deeds[shared]) // total[shared]
    lead = np.minimum(lead, left.lead_left)
    deeds = np.minimum(deeds, left.deeds_left)
    cap[q.shared_r] = 0
    quota = q.res[i]
    if quota:
        idx = np.fromiter(quota.keys(), dtype=np.int64, count=len(quota))
        val = np.fromiter(quota.values(), dtype=np.int64, count=len(quota))
        cap[idx] = np.minimum(left.cap_left[idx], val)
    return left.with_caps(lead, deeds, hours, cap)


def fits(asg: Assignment, n: int, d: Deed) -> bool:
    h = int(asg.arr.n_hours[n])
    if d.lead >= 0 and asg.lead_left[d.lead] < 1:
        return False
    for p in d.team:
        if asg.deeds_left[p] < 1 or asg.hours_left[p] < h:
            return False
    return all(asg.cap_left[r] >= q for r, q in d.res)


@dataclass
class RegionWork:
    """What a decomposition did: regions started (a prefix, in order) and those cut short."""

    started: int
    dropped: list[int]


def solve_regions(
    prob: Problem,
    regs: list[list[int]],
    asg: Assignment,
    q: Quotas,
    *,
    time_per_region: float,
    det_per_region: float,
    workers: int,
    seed: int,
    cancel: threading.Event | None,
    deadline: float,
    hint: dict[int, Deed] | None = None,
    replay: RegionWork | None = None,
    lean: bool = True,
) -> RegionWork:
    """Solve regions against their quotas (in parallel) and add the deeds to `asg`.

    Regions start in order, `workers` at a time, until the deadline: the regions solved are a
    prefix, and a region whose solve the clock cut short (not its deterministic limit) is dropped,
    so the returned record, given back as `replay`, repeats the same work on any machine. A region
    not solved keeps the LP-ordered greedy answer that the caller fills in afterwards.

    `hint` (the LP-ordered greedy answer) may break a region's quotas; CP-SAT then repairs or
    drops it, so it only ever speeds the first solution up. `lean`: CP-SAT's settings
    (`cpsat.Search.lean`)."""
    todo = [[n for n in r if n not in asg.deeds] for r in regs]
    lefts = [_region_left(asg, q, i) for i in range(len(regs))]
    results: list[SubResult | None] = [None] * len(regs)
    lock = threading.Lock()
    state = {"next": 0, "closed": False}
    limit = replay.started if replay is not None else len(regs)

    def take() -> int | None:
        with lock:
            i = state["next"]
            late = replay is None and (
                (cancel is not None and cancel.is_set()) or time.monotonic() > deadline
            )
            if state["closed"] or i >= limit or late:
                state["closed"] = True
                return None
            state["next"] = i + 1
            return i

    def loop() -> None:
        while (i := take()) is not None:
            if not todo[i] or (replay is not None and i in replay.dropped):
                continue
            region_hint = {n: hint[n] for n in todo[i] if n in hint} if hint else None
            search = Search(region_hint, time_per_region, 1, seed + i, cancel, det_per_region, lean)
            results[i] = solve_weighted(prob, todo[i], lefts[i], search)

    threads = [threading.Thread(target=loop) for _ in range(max(1, workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dropped = sorted(replay.dropped) if replay is not None else []
    for i, res in enumerate(results):
        if res is None or res.status not in ("OPTIMAL", "FEASIBLE"):
            continue
        if not res.clean:
            dropped.append(i)
            continue
        for n, d in sorted(res.deeds.items()):
            if n not in asg.deeds and fits(asg, n, d):
                asg.add(n, d)
    return RegionWork(state["next"], dropped)
