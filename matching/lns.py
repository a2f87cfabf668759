"""Large-neighbourhood search over the regions of one large component.

A neighbourhood is a pair of *regions* (subtrees of about a village's size) plus up to
`HOLDERS_PER_HOOD` deeds elsewhere that hold resources its unmatched needs could use, and up to
`PEOPLE_HOLDERS_PER_HOOD` that hold people they could use (more while the solves are cheap, see
`_Pace`; `_add_holders`); their deeds are freed and re-solved together by CP-SAT against what
everything else leaves, hinted with the current deeds; a result is kept only when it is strictly
better. One neighbourhood per worker thread is in flight at a time, pipelined in a fixed order
(see `lns`).
The measurements behind the constants are in BENCHMARKS.md ("Tuning history").
"""

from __future__ import annotations

import random
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from .assignment import Assignment, Deed
from .cpsat import Search, solve_weighted
from .eligibility import IntArray
from .holders import Holders
from .problem import Problem
from .run import Run

# Regions per LNS neighbourhood.
HOOD_REGIONS = 2
# Deeds elsewhere that hold resources the neighbourhood's unmatched needs could use, freed with it.
HOLDERS_PER_HOOD = 40
# And up to this many more that hold people (leads, members) its unmatched needs could use: a
# district tied by 300 district-wide people moves them between towns this way (BENCHMARKS.md,
# "A district tied by district-wide people").
PEOPLE_HOLDERS_PER_HOOD = 40
# ... or this many while the neighbourhood solves are cheap: the moving average of their
# deterministic time (weight PACE_WEIGHT for the latest) is below CHEAP_DET_TIME. Where every
# person reaches every need (a flat town) the larger neighbourhoods cost 2.5 times the
# deterministic time and the rounds halved; on a district tied by people, a quarter more, and
# they gained there and on towns (BENCHMARKS.md, "Neighbourhoods sized by what they cost").
PEOPLE_HOLDERS_CHEAP = 80
CHEAP_DET_TIME = 0.05
PACE_WEIGHT = 0.2
# Deterministic time of one neighbourhood's solve: where it stops, on any machine.
HOOD_DET_LIMIT = 1.5
# Wall-clock safety net of one neighbourhood's solve (a round cut by it ends the LNS there, so
# the work record stays reproducible); a neighbourhood takes well under a second on the town. It
# also ends at the search's end (`Run.end`): what follows is the final fill's. Before, a round in
# flight ran on to the hard end and the fill got no time (flat town seed 11, big teams at 10 s:
# -2,200 and -190).
HOOD_WALL_CAP = 10.0
# Do not start a neighbourhood with less time than this left, nor than the last PACE_WALLS took
# (their median wall time): it could not finish, and what runs past the end takes the final
# fill's time. The median, not the longest: where solves vary most (a flat town: 0.1-2.6 s),
# waiting for the longest stopped the LNS 1-1.5 s early.
HOOD_MIN_LEFT = 0.6
PACE_WALLS = 8

# Leads, deeds, hours per person and units per resource that a neighbourhood may use.
Grant = tuple[IntArray, IntArray, IntArray, IntArray]


@dataclass
class _Flight:
    """A neighbourhood being re-solved: what it freed, what it was granted, its answer to come."""

    regions: list[int]
    needs: list[int]
    old: dict[int, Deed]
    grant: Grant
    future: Future[_Solved]


@dataclass
class _Solved:
    """A neighbourhood's answer: 1 and its new deeds if strictly better, else 0 and the old."""

    better: int
    deeds: dict[int, Deed]
    clean: bool  # stopped on its own (optimum, deterministic limit), not on the clock
    det_time: float
    wall: float


@dataclass
class _Pace:
    """What the merged neighbourhoods cost, in merge order: it sizes the next ones (by
    deterministic time, so that a replay sizes them alike) and stops the search in time (by
    wall time, which only decides how many rounds the work record keeps)."""

    paced: bool
    det_avg: float | None = None
    walls: deque[float] = field(default_factory=lambda: deque(maxlen=PACE_WALLS))

    def merged(self, solved: _Solved) -> None:
        self.walls.append(solved.wall)
        if solved.clean:
            d = solved.det_time
            self.det_avg = d if self.det_avg is None else d + (1 - PACE_WEIGHT) * (self.det_avg - d)

    def people_holders(self) -> int:
        cheap = self.paced and self.det_avg is not None and self.det_avg < CHEAP_DET_TIME
        return PEOPLE_HOLDERS_CHEAP if cheap else PEOPLE_HOLDERS_PER_HOOD

    def too_late(self, left: float) -> bool:
        typical = float(np.median(self.walls)) if self.walls else 0.0
        return left <= max(HOOD_MIN_LEFT, typical)


def lns(
    run: Run,
    prob: Problem,
    regs: list[list[int]],
    asg: Assignment,
    bound: float,
    lp_value: dict[int, float],
    rounds: int | None = None,
    parallel: int | None = None,
    lean: bool = True,
    paced: bool = True,
) -> tuple[int, int]:
    """Re-solve pairs of regions, `parallel` neighbourhoods in flight at a time.

    Returns (rounds merged, parallel): the work record that reproduces this search. `rounds`
    (replay) runs exactly that many rounds whatever the clock says; without it the search runs
    until the deadline or until the incumbent reaches `bound`. `lean`: CP-SAT's settings
    (`cpsat.Search.lean`); `paced`: more people holders while the solves are cheap (`_Pace`),
    else always PEOPLE_HOLDERS_PER_HOOD.

    The first region of a pair is drawn with weight growing with its *regret* (the priority the
    LP gets there minus what the incumbent gets), decayed each time re-solving it found nothing;
    its partner is drawn uniformly, so shared capacity can move between any two regions.

    Pipelined but deterministic: neighbourhood i is chosen once neighbourhood i - parallel has
    been merged (merges go strictly in order), from that state and from what the ones still in
    flight hold. Which thread finishes first never changes what is chosen. Every neighbourhood
    stops on deterministic time; one cut short by the clock (deadline, cancel, safety net) is
    dropped with every later one, so the rounds merged are a prefix that a replay repeats exactly.
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
    # `bound` is this component's; the incumbent also holds the other components' deeds, which
    # no round here changes. Compared whole, a run whose small components are served well
    # "reached" the bound before its first round (noleads seed 1: stopped at 4 s of 29).
    served = np.fromiter(asg.deeds, dtype=np.int64, count=len(asg.deeds))
    elsewhere = asg.priority - int(pri[served[reg_of[served] < len(regs)]].sum())
    fails = [0] * len(regs)
    launched = improved = merged = 0
    broken = False  # a round was cut short by the clock: it and all later ones are dropped
    t_start = time.monotonic()
    size = HOOD_REGIONS
    if parallel is None:
        parallel = max(1, min(run.workers, len(regs) // (2 * size)))
    flight: deque[_Flight] = deque()
    held = 0  # priority of the deeds freed by the neighbourhoods in flight
    holding = Holders(asg.deeds)  # kept in step with asg.deeds below
    pace = _Pace(paced)
    people_holders = 0  # summed over the neighbourhoods launched, for the stats

    def merge(f: _Flight) -> None:
        nonlocal improved, held, merged, broken
        solved = f.future.result()
        pace.merged(solved)
        better, deeds = solved.better, solved.deeds
        broken = broken or not solved.clean
        if broken:
            better, deeds = 0, f.old
        else:
            merged += 1
        improved += better
        for r in f.regions:
            fails[r] = 0 if better else fails[r] + 1
        _give_back(asg, f.grant)
        for n, d in sorted(deeds.items()):
            asg.add(n, d)
            holding.add(n, d)
        held -= sum(int(pri[n]) for n in f.old)

    def done() -> bool:
        if rounds is not None:
            return launched >= rounds
        return (
            broken
            or run.stopped()
            or pace.too_late(run.left())
            or (not flight and asg.priority - elsewhere + 1 > bound + 1e-6)  # floor(bound)
        )

    pool = ThreadPoolExecutor(max_workers=parallel)
    try:
        while True:
            if len(flight) == parallel:
                merge(flight.popleft())
                run.report("lns", asg.priority + held, bound)
            if done():
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
                people = pace.people_holders()
                people_holders += people
                hood = _add_holders(prob, asg, [hood], HOLDERS_PER_HOOD, rng, people, holding)[0]
            old = {n: asg.deeds[n] for n in hood if n in asg.deeds}
            for n in hood:
                asg.remove(n)
            for n, d in old.items():
                holding.remove(n, d)
            held += sum(int(pri[n]) for n in old)
            grant = _grant(asg, old, _touched(prob, hood))
            seed = run.seed + launched * 31
            launched += 1
            left = asg.with_caps(*grant)
            future = pool.submit(_solve_hood, prob, hood, left, old, seed, run, lean)
            flight.append(_Flight(picked, hood, old, grant, future))
    finally:
        while flight:
            merge(flight.popleft())
        pool.shutdown(wait=True)
    run.report("lns", asg.priority, bound)
    run.stats["lns"] = {
        "iterations": merged,
        "launched": launched,
        "improved": improved,
        "parallel": parallel,
        "people_holders": round(people_holders / max(1, launched), 1),
        "seconds": round(time.monotonic() - t_start, 2),
    }
    return merged, parallel


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
    rng: random.Random,
    people_limit: int = 0,
    holding: Holders | None = None,
) -> list[list[int]]:
    """Extend each neighbourhood with deeds elsewhere that hold its contested resources and
    people.

    A pair of regions competes with the rest of the town for resources that reach further than a
    village. Freeing, with the pair, up to `limit` deeds outside it that hold resources its
    unmatched needs could use lets CP-SAT move that capacity into the pair when its holder can be
    served otherwise or matters less; then up to `people_limit` more that hold people (as lead or
    member) they could use, for people who reach further than a village. Holders are taken
    lowest priority first, the priorities jittered by `rng` so that a pair drawn again frees a
    different set. `holding`: the holders of `asg.deeds` (built from them when not given).
    """
    c = prob.cands
    pri = prob.arr.n_priority
    if holding is None:
        holding = Holders(asg.deeds)
    holders, p_holders = holding.of_resource, holding.of_person
    taken = {n for h in hoods for n in h}
    out = []
    for h in hoods:
        wanted: set[int] = set()
        w_people: set[int] = set()
        for n in h:
            if n not in asg.deeds:
                wanted.update(c.res.ent[c.res.ptr[n] : c.res.ptr[n + 1]].tolist())
                w_people.update(c.lead.ent[c.lead.ptr[n] : c.lead.ptr[n + 1]].tolist())
                w_people.update(c.team.ent[c.team.ptr[n] : c.team.ptr[n + 1]].tolist())
        extra = []
        for by, keys, k in ((holders, wanted, limit), (p_holders, w_people, people_limit)):
            if not k:
                continue
            pool = {m for r in keys for m in by.get(r, ())}
            cand = sorted(m for m in pool if m not in taken and m not in prob.pins)
            jit = {m: int(pri[m]) * (0.5 + rng.random()) for m in cand}
            more = sorted(cand, key=lambda m: (jit[m], m))[:k]
            taken.update(more)
            extra += more
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
        u.shift(n, d, 1)
    return u


def _solve_hood(
    prob: Problem,
    hood: list[int],
    left: Assignment,
    old: dict[int, Deed],
    seed: int,
    run: Run,
    lean: bool,
) -> _Solved:
    """Re-solve one neighbourhood (a strictly better answer replaces `old`)."""
    t0 = time.monotonic()
    limit = run.cap(min(HOOD_WALL_CAP, max(0.01, run.end - t0)))
    search = Search(old, limit, 1, seed, run.halt, HOOD_DET_LIMIT, lean)
    res = solve_weighted(prob, hood, left, search)
    arr = prob.arr
    old_key = (sum(int(arr.n_priority[n]) for n in old), -sum(d.distance for d in old.values()))
    better = res.status in ("OPTIMAL", "FEASIBLE") and (res.priority, -res.distance) > old_key
    return _Solved(
        int(better), res.deeds if better else old, res.clean, res.det_time, time.monotonic() - t0
    )
