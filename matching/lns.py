"""Large components: LP bound and guidance, LP-guided greedy, then large-neighbourhood search.

Pipeline per component: prune candidates, LP (bound + guidance), LP-ordered greedy, LP-guided
decomposition into regions (decompose.py), then LNS. A neighbourhood is a pair of *regions*
(subtrees of about a village's size) plus up to `HOLDERS_PER_HOOD` deeds elsewhere that hold
resources its unmatched needs could use (see `_add_holders`); their deeds are freed and re-solved
together by CP-SAT against what everything else leaves, hinted with the current deeds; a result is
kept only when it is strictly better. Two neighbourhoods are solved at a time, one per worker
thread. Finally a greedy pass over *all* eligible pairs fills needs the pruned models left out.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING

import numpy as np

from . import eligibility
from .assignment import Assignment, Deed
from .cpsat import solve_weighted
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
# The most of the time left that the decomposition may take (see improve_component).
DECOMPOSE_SHARE = 0.75


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


def lns(
    run: _Run,
    prob: Problem,
    regs: list[list[int]],
    asg: Assignment,
    bound: float,
    lp_value: dict[int, float],
) -> None:
    """Re-solve pairs of regions, two neighbourhoods at a time (one per worker thread).

    The first region of a pair is drawn with weight growing with its *regret* (the priority the
    LP gets there minus what the incumbent gets), decayed each time re-solving it found nothing;
    its partner is drawn uniformly, so shared capacity can move between any two regions.
    """
    from concurrent.futures import ThreadPoolExecutor

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
    it = improved = 0
    t_start = time.monotonic()
    size = HOOD_REGIONS
    parallel = max(1, min(run.workers, len(regs) // (2 * size)))
    pool = ThreadPoolExecutor(max_workers=parallel)
    try:
        # An iteration costs model building plus the solve: do not start one that cannot finish.
        while not run.stopped() and run.left() > 0.6:
            served = np.fromiter(asg.deeds, dtype=np.int64, count=len(asg.deeds))
            got = np.bincount(reg_of[served], weights=pri_f[served], minlength=len(regs) + 1)
            weights = [
                (max(0.0, lp_share[i] - float(got[i])) + 1.0) * 0.6 ** fails[i]
                for i in range(len(regs))
            ]
            picked = _pick(rng, weights, size, parallel)
            hoods = [
                sorted(n for r in picked[k * size : (k + 1) * size] for n in regs[r])
                for k in range(parallel)
            ]
            if HOLDERS_PER_HOOD:
                hoods = _add_holders(
                    prob, asg, hoods, HOLDERS_PER_HOOD, rng if HOLDER_JITTER else None
                )
            ents = [_touched(prob, h) for h in hoods]
            olds = [{n: asg.deeds[n] for n in h if n in asg.deeds} for h in hoods]
            for h in hoods:
                for n in h:
                    asg.remove(n)
            lefts = _split_slack(asg, olds, ents)
            it += 1
            seeds = [run.seed + it * 31 + k for k in range(parallel)]

            tl = min(3.0, max(0.05, run.left() - 0.4))
            futures = [
                pool.submit(_solve_hood, prob, hoods[k], lefts[k], olds[k], seeds[k], tl, run)
                for k in range(parallel)
            ]
            outcomes = [f.result() for f in futures]
            for k, (better, deeds) in enumerate(outcomes):
                improved += better
                for r in picked[k * size : (k + 1) * size]:
                    fails[r] = 0 if better else fails[r] + 1
                for n, d in sorted(deeds.items()):
                    asg.add(n, d)
            run.report("lns", asg.priority, bound)
    finally:
        pool.shutdown(wait=True)
    run.stats["lns"] = {
        "iterations": it,
        "improved": improved,
        "parallel": parallel,
        "seconds": round(time.monotonic() - t_start, 2),
    }


def _pick(rng: random.Random, weights: list[float], size: int, parallel: int) -> list[int]:
    """`parallel` groups of `size` distinct regions: a weighted first, then uniform partners."""
    n = len(weights)
    if n <= size * parallel:
        return rng.sample(range(n), n)
    out: list[int] = []
    w = list(weights)
    for _ in range(parallel):
        first = rng.choices(range(n), weights=w)[0]
        w[first] = 0.0
        out.append(first)
        free = [i for i in range(n) if i not in out]
        partners = rng.sample(free, size - 1)
        for p in partners:
            w[p] = 0.0
        out.extend(partners)
        if sum(w) <= 0:
            w = [0.0 if i in out else 1.0 for i in range(n)]
    return out


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


def _split_slack(
    asg: Assignment, olds: list[dict[int, Deed]], ents: list[tuple[np.ndarray, np.ndarray]]
) -> list[Assignment]:
    """Residual capacities for neighbourhoods solved at the same time.

    Each neighbourhood may always reuse what its own old deeds held. The spare capacity (what no
    deed holds) goes to the first neighbourhood that can use an entity; later ones get none of it,
    so the answers never over-use anything when merged.
    """
    uses = [_usage(asg, o) for o in olds]
    total_use = [sum(u.lead_left for u in uses), sum(u.deeds_left for u in uses)]
    slack_lead = asg.lead_left - total_use[0]
    slack_deeds = asg.deeds_left - total_use[1]
    slack_hours = asg.hours_left - sum(u.hours_left for u in uses)
    slack_cap = asg.cap_left - sum(u.cap_left for u in uses)
    claimed_p = np.zeros(len(asg.lead_left), dtype=bool)
    claimed_r = np.zeros(len(asg.cap_left), dtype=bool)
    out = []
    for u, (pe, re_) in zip(uses, ents, strict=True):
        give_p = np.zeros(len(claimed_p), dtype=bool)
        give_p[pe] = True
        give_p &= ~claimed_p
        give_r = np.zeros(len(claimed_r), dtype=bool)
        give_r[re_] = True
        give_r &= ~claimed_r
        claimed_p |= give_p
        claimed_r |= give_r
        out.append(
            asg.with_caps(
                u.lead_left + np.where(give_p, slack_lead, 0),
                u.deeds_left + np.where(give_p, slack_deeds, 0),
                u.hours_left + np.where(give_p, slack_hours, 0),
                u.cap_left + np.where(give_r, slack_cap, 0),
            )
        )
    return out


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
