"""Large components: LP bound and guidance, LP-guided greedy, then large-neighbourhood search.

Pipeline per component: prune candidates, LP (bound + guidance), LP-ordered greedy, LP-guided
decomposition into regions (decompose.py), then LNS. A neighbourhood is a pair of *regions*
(subtrees of about a village's size) plus up to `HOLDERS_PER_HOOD` deeds elsewhere that hold
resources its unmatched needs could use (see `_add_holders`); their deeds are freed and re-solved
together by CP-SAT against what everything else leaves, hinted with the current deeds; a result is
kept only when it is strictly better. One neighbourhood per worker thread is in flight at a time,
pipelined in a fixed order (see `lns`). Finally a greedy pass over *all* eligible pairs fills
needs the pruned models left out.
"""

from __future__ import annotations

import random
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import eligibility
from .assignment import Assignment, Deed
from .cpsat import solve_weighted
from .eligibility import IntArray
from .greedy import Slices, greedy_fill
from .problem import Problem

if TYPE_CHECKING:
    from .solver import _Run

# Candidates kept per need (nearest members, nearest holders per skill, nearest leads), for the
# LP and the CP-SAT models alike. More candidates give the LP better duals and shares (town seed 1:
# decomposition 57,947 with 20/6/10, 58,179 with 40/12, 58,279 with 60/15) and the models more
# ways to serve a need; the LNS sub-models still solve to optimality in well under a second.
K_TEAM, K_SKILL, K_LEAD = 40, 12, 20
K_MODEL = (40, 12, 20)
# Regions per LNS neighbourhood (3 or 4 measured no better on the town: fewer rounds).
HOOD_REGIONS = 2
# Deeds elsewhere that hold resources the neighbourhood's unmatched needs could use, freed with it
# (town seed 1, one run each: 0 -> 58,256, 20 -> 58,340, 40 -> 58,367, 80 -> 58,238).
HOLDERS_PER_HOOD = 40
# Also free holders of exhausted people the unmatched needs could lead (measured: no gain).
HOLDER_PEOPLE = False
# Jitter the holders' priorities so that a pair drawn again frees a different set.
HOLDER_JITTER = True
# Greedy fill over all eligible pairs after the LNS.
FINAL_FILL = True
# Stop the LNS after this many neighbourhoods (tests; None: run until the deadline).
MAX_HOODS: int | None = None
# The most of the time left that the decomposition may take (see improve_component).
DECOMPOSE_SHARE = 0.75

# Leads, deeds, hours per person and units per resource that a neighbourhood may use.
Grant = tuple[IntArray, IntArray, IntArray, IntArray]


def regions(prob: Problem, needs: np.ndarray, target: int = 70) -> list[list[int]]:
    """Split needs into subtrees of roughly `target` needs (villages in the usual grid)."""
    tree = prob.tree
    cells = prob.arr.n_cell[needs]
    best: list[list[int]] = [[int(n) for n in needs]]
    best_gap = float("inf")
    for depth in range(tree.anc.shape[0]):
        anc = tree.anc[depth, cells]
        anc = np.where(anc < 0, cells, anc)
        keys, inv = np.unique(anc, return_inverse=True)
        gap = abs(np.log(len(needs) / len(keys) / target))
        if gap < best_gap:
            best_gap = gap
            groups: list[list[int]] = [[] for _ in keys]
            for n, g in zip(needs.tolist(), inv.tolist(), strict=True):
                groups[g].append(n)
            best = groups
    return best


def improve_component(
    run: _Run, prob: Problem, comp: np.ndarray, asg: Assignment, pinned: dict[int, Deed]
) -> float:
    """Improve `asg` on one large component until the run's deadline; return a priority bound."""
    from .decompose import quotas, solve_regions
    from .lp import lp_guidance

    arr = prob.arr
    needs = [int(n) for n in comp]
    lp_cands = _with_pins(prob, eligibility.prune(prob.full, arr, K_TEAM, K_SKILL, K_LEAD))
    lp_prob = Problem(prob.inst, prob.tree, arr, prob.full, lp_cands, prob.pins, False)
    cands = lp_cands
    if K_MODEL != (K_TEAM, K_SKILL, K_LEAD):
        cands = _with_pins(prob, eligibility.prune(prob.full, arr, *K_MODEL))
    sub = Problem(prob.inst, prob.tree, arr, prob.full, cands, prob.pins, False)
    sl = Slices(sub)
    run.report("lp", asg.priority, run.alone_bound(prob, comp), force=True)
    guide = lp_guidance(run, lp_prob, comp, asg)
    bound = guide.bound
    run.stats.setdefault("lp", []).append(guide.stats)
    lp_order = sorted(
        needs,
        key=lambda n: (n not in prob.pins, -guide.value.get(n, 0.0), -int(arr.n_priority[n]), n),
    )
    # Quick incumbent first (LP-ordered greedy), so a cancel right now still has an answer.
    greedy_fill(sub, sl, asg, lp_order)
    greedy_pri = asg.priority
    run.report("decompose", asg.priority, bound, force=True)
    regs = regions(sub, np.array(needs, dtype=np.int64))
    run.stats["regions"] = len(regs)
    if guide.res_use is not None and not run.stopped():
        t0 = time.monotonic()
        trial = asg.copy()
        for n in needs:
            if n not in prob.pins:
                trial.remove(n)
        q = quotas(sub, guide, regs, trial)
        # Regions stop on deterministic time (so the answer does not depend on machine load);
        # the wall-clock cap per region and the phase deadline are only safety nets. A region past
        # the deadline keeps the greedy answer, and regions gain far more per second than the LNS
        # (district seed 1: ~350 against ~50 priority/s), so the cap is generous: on one core the
        # district skipped 151 of 290 regions with 40% of the time left, 28 with 60%.
        budget = max(0.2, run.left() * DECOMPOSE_SHARE)
        per = max(2.0, budget * run.workers / max(1, len(regs)))
        solve_regions(
            sub,
            regs,
            trial,
            q,
            time_per_region=per,
            det_per_region=0.5,
            workers=run.workers,
            seed=run.seed,
            cancel=run.cancel,
            deadline=time.monotonic() + budget,
            hint=dict(asg.deeds),
        )
        greedy_fill(sub, sl, trial, lp_order)
        run.stats["decompose"] = {
            "priority": trial.priority,
            "greedy": greedy_pri,
            "seconds": round(time.monotonic() - t0, 2),
        }
        if (trial.priority, -trial.distance) > (asg.priority, -asg.distance):
            for n in needs:
                asg.remove(n)
            for n in needs:
                d = trial.deeds.get(n)
                if d is not None:
                    asg.add(n, d)
    run.report("lns", asg.priority, bound, force=True)
    lns(run, sub, regs, asg, bound, guide.value)
    if FINAL_FILL:
        # The models see the nearest candidates only; a need they left out may still fit with a
        # farther one (e.g. the only free holder of a rare skill).
        before = asg.priority
        greedy_fill(prob, Slices(prob), asg, lp_order)
        run.stats["final_fill"] = asg.priority - before
    return bound


def _with_pins(prob: Problem, c: eligibility.Candidates) -> eligibility.Candidates:
    """Pinned pairs must stay in the model even when pruning dropped them."""
    if not prob.pins:
        return c
    n_needs = prob.n_needs
    full = prob.full
    n_people = len(prob.inst.people)
    keys_l = {n * n_people + ps.lead for n, ps in prob.pins.items() if ps.lead >= 0}
    keys_t = {n * n_people + p for n, ps in prob.pins.items() for p in ps.team}

    def merge(
        pruned: eligibility.Pairs, whole: eligibility.Pairs, keys: set[int]
    ) -> eligibility.Pairs:
        if not keys:
            return pruned
        k_whole = whole.need * n_people + whole.ent
        k_pruned = set((pruned.need * n_people + pruned.ent).tolist())
        add = np.isin(k_whole, np.array(sorted(keys - k_pruned), dtype=np.int64))
        need = np.concatenate([pruned.need, whole.need[add]])
        ent = np.concatenate([pruned.ent, whole.ent[add]])
        dist = np.concatenate([pruned.dist, whole.dist[add]])
        order = np.lexsort((ent, dist, need))
        need = need[order]
        return eligibility.Pairs(need, ent[order], dist[order], eligibility._ptr(need, n_needs))

    return eligibility.Candidates(
        merge(c.lead, full.lead, keys_l), merge(c.team, full.team, keys_t), c.res, c.team_rule_count
    )


@dataclass
class _Flight:
    """A neighbourhood being re-solved: what it freed, what it was granted, its answer to come."""

    regions: list[int]
    needs: list[int]
    old: dict[int, Deed]
    grant: Grant
    future: Future[tuple[int, dict[int, Deed]]]


def lns(
    run: _Run,
    prob: Problem,
    regs: list[list[int]],
    asg: Assignment,
    bound: float,
    lp_value: dict[int, float],
) -> None:
    """Re-solve pairs of regions, `workers` neighbourhoods in flight at a time.

    The first region of a pair is drawn with weight growing with its *regret* (the priority the
    LP gets there minus what the incumbent gets), decayed each time re-solving it found nothing;
    its partner is drawn uniformly, so shared capacity can move between any two regions.

    Pipelined but deterministic: neighbourhood i is chosen once neighbourhood i - workers has
    been merged (merges go strictly in order), from that state and from what the ones still in
    flight hold. Which thread finishes first never changes what is chosen, so the answer depends
    on the seed and on how many neighbourhoods the time allowed, not on their timing. A thread
    idles only while an older neighbourhood is still running (measured on the district: waiting
    for both of a round's two neighbourhoods, the threads spent 78% of the LNS in solves).
    """
    rng = random.Random(run.seed * 7919 + len(regs))
    pri = prob.arr.n_priority
    lp_share = [sum(lp_value.get(n, 0.0) * int(pri[n]) for n in r) for r in regs]
    # Region of every need, to sum what the incumbent serves per region with numpy each round
    # (a Python scan of every need cost ~60 ms a round on the district).
    reg_of = np.full(prob.n_needs, len(regs), dtype=np.int64)
    for i, members in enumerate(regs):
        reg_of[members] = i
    pri_f = pri.astype(np.float64)
    fails = [0] * len(regs)
    launched = improved = 0
    t_start = time.monotonic()
    size = HOOD_REGIONS
    parallel = max(1, min(run.workers, len(regs) // (2 * size)))
    flight: deque[_Flight] = deque()
    held = 0  # priority of the deeds freed by the neighbourhoods in flight

    def merge(f: _Flight) -> None:
        nonlocal improved, held
        better, deeds = f.future.result()
        improved += better
        for r in f.regions:
            fails[r] = 0 if better else fails[r] + 1
        _give_back(asg, f.grant)
        for n, d in sorted(deeds.items()):
            asg.add(n, d)
        held -= sum(int(pri[n]) for n in f.old)

    pool = ThreadPoolExecutor(max_workers=parallel)
    try:
        while True:
            if len(flight) == parallel:
                merge(flight.popleft())
                run.report("lns", asg.priority + held, bound)
            # A neighbourhood costs model building plus the solve: do not start one that cannot
            # finish.
            if run.stopped() or run.left() <= 0.6 or (MAX_HOODS and launched >= MAX_HOODS):
                break
            busy_regions = {r for f in flight for r in f.regions}
            busy_needs = {n for f in flight for n in f.needs}
            served = np.fromiter(asg.deeds, dtype=np.int64, count=len(asg.deeds))
            got = np.bincount(reg_of[served], weights=pri_f[served], minlength=len(regs) + 1)
            weights = [
                0.0
                if i in busy_regions
                else (max(0.0, lp_share[i] - float(got[i])) + 1.0) * 0.6 ** fails[i]
                for i in range(len(regs))
            ]
            picked = _pick(rng, weights, size, busy_regions)
            hood = sorted(n for r in picked for n in regs[r] if n not in busy_needs)
            if HOLDERS_PER_HOOD:
                hood = _add_holders(
                    prob, asg, [hood], HOLDERS_PER_HOOD, rng if HOLDER_JITTER else None
                )[0]
            old = {n: asg.deeds[n] for n in hood if n in asg.deeds}
            for n in hood:
                asg.remove(n)
            held += sum(int(pri[n]) for n in old)
            grant = _grant(asg, old, _touched(prob, hood))
            seed = run.seed + launched * 31
            launched += 1
            tl = min(3.0, max(0.05, run.left() - 0.4))
            left = asg.with_caps(*grant)
            future = pool.submit(_solve_hood, prob, hood, left, old, seed, tl, run)
            flight.append(_Flight(picked, hood, old, grant, future))
    finally:
        while flight:
            merge(flight.popleft())
        pool.shutdown(wait=True)
    run.report("lns", asg.priority, bound)
    run.stats["lns"] = {
        "iterations": launched,
        "improved": improved,
        "parallel": parallel,
        "seconds": round(time.monotonic() - t_start, 2),
    }


def _pick(rng: random.Random, weights: list[float], size: int, busy: set[int]) -> list[int]:
    """`size` distinct regions outside `busy`: one drawn by weight, then uniform partners."""
    free = [i for i in range(len(weights)) if i not in busy]
    if len(free) <= size:
        return free
    w = [weights[i] for i in free]
    if sum(w) <= 0:
        w = [1.0] * len(free)
    first = rng.choices(free, weights=w)[0]
    others = [i for i in free if i != first]
    return [first, *rng.sample(others, size - 1)]


def _grant(asg: Assignment, old: dict[int, Deed], ents: tuple[np.ndarray, np.ndarray]) -> Grant:
    """Capacity a neighbourhood may use, withheld from `asg` until it is merged back.

    It gets what its own old deeds held (freed from `asg` already) and everything left on the
    people and resources its needs could use; the neighbourhoods in flight had theirs withheld
    before, so no two can ever over-use anything when merged.
    """
    people, res = ents
    used = _usage(asg, old)  # fresh arrays
    grant = (used.lead_left, used.deeds_left, used.hours_left, used.cap_left)
    for g, have, idx in (
        (grant[0], asg.lead_left, people),
        (grant[1], asg.deeds_left, people),
        (grant[2], asg.hours_left, people),
        (grant[3], asg.cap_left, res),
    ):
        g[idx] = np.maximum(g[idx], have[idx])
        have -= g
    return grant


def _give_back(asg: Assignment, grant: Grant) -> None:
    asg.lead_left += grant[0]
    asg.deeds_left += grant[1]
    asg.hours_left += grant[2]
    asg.cap_left += grant[3]


def _add_holders(
    prob: Problem,
    asg: Assignment,
    hoods: list[list[int]],
    limit: int,
    rng: random.Random | None = None,
) -> list[list[int]]:
    """Extend each neighbourhood with deeds elsewhere that hold its contested capacity.

    A pair of regions competes with the rest of the town for resources (and people) that reach
    further than a village. Freeing, with the pair, up to `limit` deeds outside it that hold
    resources its unmatched needs could use, or people they could use who have no capacity left,
    lets CP-SAT move that capacity into the pair when its holder can be served otherwise or
    matters less. Holders are taken lowest priority first; with `rng` the priorities are
    jittered, so that a pair drawn again frees a different set (deterministic for a fixed seed).
    """
    c = prob.cands
    pri = prob.arr.n_priority
    holders: dict[int, list[int]] = {}
    p_holders: dict[int, list[int]] = {}
    for n, d in asg.deeds.items():
        for r, _ in d.res:
            holders.setdefault(r, []).append(n)
        if HOLDER_PEOPLE:
            if d.lead >= 0:
                p_holders.setdefault(d.lead, []).append(n)
            for p in d.team:
                p_holders.setdefault(p, []).append(n)
    taken = {n for h in hoods for n in h}
    out = []
    for h in hoods:
        wanted: set[int] = set()
        people: set[int] = set()
        for n in h:
            if n not in asg.deeds:
                wanted.update(c.res.ent[c.res.ptr[n] : c.res.ptr[n + 1]].tolist())
                if HOLDER_PEOPLE:
                    people.update(c.lead.ent[c.lead.ptr[n] : c.lead.ptr[n + 1]].tolist())
        if people:
            people = {p for p in people if asg.lead_left[p] <= 0 or asg.deeds_left[p] <= 0}
        pool = {m for r in wanted for m in holders.get(r, ())}
        pool.update(m for p in people for m in p_holders.get(p, ()))
        cand = sorted(m for m in pool if m not in taken and m not in prob.pins)
        if rng is not None:
            jit = {m: int(pri[m]) * (0.5 + rng.random()) for m in cand}
            extra = sorted(cand, key=lambda m: (jit[m], m))[:limit]
        else:
            extra = sorted(cand, key=lambda m: (int(pri[m]), m))[:limit]
        taken.update(extra)
        out.append(sorted(h + extra))
    return out


def _touched(prob: Problem, needs: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """People and resources that are candidates of these needs."""
    c = prob.cands
    idx = np.array(needs, dtype=np.int64)
    people = np.concatenate(
        [c.lead.ent[c.lead.ptr[n] : c.lead.ptr[n + 1]] for n in idx]
        + [c.team.ent[c.team.ptr[n] : c.team.ptr[n + 1]] for n in idx]
        + [np.zeros(0, dtype=np.int64)]
    )
    res = np.concatenate(
        [c.res.ent[c.res.ptr[n] : c.res.ptr[n + 1]] for n in idx] + [np.zeros(0, dtype=np.int64)]
    )
    return np.unique(people), np.unique(res)


def _usage(asg: Assignment, deeds: dict[int, Deed]) -> Assignment:
    """Capacities used by `deeds`, as an Assignment whose 'left' arrays hold the usage."""
    arr = asg.arr
    z = np.zeros_like
    u = asg.with_caps(z(arr.p_lead), z(arr.p_deeds), z(arr.p_hours), z(arr.r_cap))
    for n, d in deeds.items():
        h = int(arr.n_hours[n])
        if d.lead >= 0:
            u.lead_left[d.lead] += 1
        for p in d.team:
            u.deeds_left[p] += 1
            u.hours_left[p] += h
        for r, q in d.res:
            u.cap_left[r] += q
    return u


def _solve_hood(
    prob: Problem,
    hood: list[int],
    left: Assignment,
    old: dict[int, Deed],
    seed: int,
    time_limit: float,
    run: _Run,
) -> tuple[int, dict[int, Deed]]:
    """Re-solve one neighbourhood; returns (1, new deeds) if strictly better, else (0, old)."""
    res = solve_weighted(
        prob,
        hood,
        left,
        hint=old,
        time_limit=time_limit,
        workers=1,
        seed=seed,
        cancel=run.cancel,
        det_limit=1.5,
    )
    arr = prob.arr
    old_key = (sum(int(arr.n_priority[n]) for n in old), -sum(d.distance for d in old.values()))
    if res.status in ("OPTIMAL", "FEASIBLE") and (res.priority, -res.distance) > old_key:
        return 1, res.deeds
    return 0, old
