"""Greedy construction: take needs in a given order, fulfil each with the nearest free candidates.

The order is the whole strategy: priority-first gives the classic greedy, LP-value-first gives the
LP-guided greedy the LNS starts from. Candidates are scanned nearest-first, so each deed is also
cheap in distance; rare skills are covered before the team is filled up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .assignment import Assignment, Deed
from .eligibility import Candidates, Pairs
from .problem import Problem


class _Lists:
    """`lists[n]`: need n's candidates as (entity, distance) tuples, built on first access."""

    def __init__(self, pairs: Pairs) -> None:
        self.pairs = pairs
        self.cache: dict[int, list[tuple[int, int]]] = {}

    def __getitem__(self, n: int) -> list[tuple[int, int]]:
        got = self.cache.get(n)
        if got is None:
            sl = self.pairs.of(n)
            got = list(zip(self.pairs.ent[sl].tolist(), self.pairs.dist[sl].tolist(), strict=True))
            self.cache[n] = got
        return got


class Slices:
    """Per-need candidate lists as plain Python lists (fast to scan one by one)."""

    def __init__(self, prob: Problem, cands: Candidates | None = None) -> None:
        c = cands or prob.cands
        self.lead = _Lists(c.lead)
        self.team = _Lists(c.team)
        self.res = _Lists(c.res)
        self.r_kind = prob.arr.r_kind.tolist()


def try_need(prob: Problem, sl: Slices, asg: Assignment, n: int) -> Deed | None:
    """A deed for need n from what `asg` has left, or None when the greedy cannot build one."""
    arr = prob.arr
    pin = prob.pins.get(n)
    dist = 0
    lead = -1
    pinned_team = pin.team if pin is not None else set()
    if arr.n_lead[n]:
        lead_left = asg.lead_left
        for p, d in sl.lead[n]:
            if pin is not None and pin.lead >= 0 and p != pin.lead:
                continue
            if lead_left[p] > 0 and p not in pinned_team:
                lead, dist = p, d
                break
        if lead < 0:
            return None
    vol = int(arr.n_vol[n])
    if vol == 0 and arr.n_skills[n]:
        return None  # skills must be held by team members
    team: list[int] = []
    if vol:
        h = int(arr.n_hours[n])
        deeds_left, hours_left = asg.deeds_left, asg.hours_left
        p_skills = arr.p_skills
        chosen: set[int] = set()
        for p, d in sl.team[n]:
            if p in pinned_team:
                if p == lead or deeds_left[p] <= 0 or hours_left[p] < h:
                    return None
                team.append(p)
                chosen.add(p)
                dist += d
        if len(chosen) < len(pinned_team):
            return None
        missing = {s for s in arr.n_skills[n] if not any(s in p_skills[p] for p in team)}
        # One nearest-first pass: take a person who covers a missing skill, or anyone while the
        # free slots exceed the skills still missing (so rare skills keep a slot).
        for p, d in sl.team[n]:
            if len(team) >= vol and not missing:
                break
            if p in chosen or p == lead or deeds_left[p] <= 0 or hours_left[p] < h:
                continue
            covers = missing & p_skills[p] if missing else set()
            if covers or vol - len(team) > len(missing):
                if len(team) >= vol:
                    return None
                team.append(p)
                chosen.add(p)
                dist += d
                missing -= covers
        if missing or len(team) < vol:
            return None
    res: list[tuple[int, int]] = []
    if arr.n_items[n]:
        cap_left = asg.cap_left
        for k, q in arr.n_items[n]:
            need_q = q
            for r, d in sl.res[n]:
                if sl.r_kind[r] != k:
                    continue
                c = int(cap_left[r])
                if c <= 0:
                    continue
                take = min(c, need_q)
                res.append((r, take))
                dist += d * take
                need_q -= take
                if need_q == 0:
                    break
            if need_q:
                return None
    return Deed(lead, tuple(team), tuple(res), dist)


def greedy_fill(
    prob: Problem,
    sl: Slices,
    asg: Assignment,
    order: Iterable[int],
    *,
    stop: Callable[[], bool] | None = None,
    limit: int | None = None,
) -> int | None:
    """Add a deed for every need in `order` that still fits (needs already placed are skipped).

    `stop` (checked before each need) or `limit` (needs to try) may end it early; returns how
    many needs were tried when it ended early, else None."""
    tried = 0
    for n in order:
        if n in asg.deeds:
            continue
        if (limit is not None and tried >= limit) or (stop is not None and stop()):
            return tried
        tried += 1
        d = try_need(prob, sl, asg, n)
        if d is not None:
            asg.add(n, d)
    return None


def priority_order(prob: Problem, needs: Iterable[int]) -> list[int]:
    """Pinned needs first, then by priority (ties: fewer resource units, then index)."""
    arr = prob.arr
    return sorted(
        needs,
        key=lambda n: (
            n not in prob.pins,
            -int(arr.n_priority[n]),
            sum(q for _, q in arr.n_items[n]),
            n,
        ),
    )
