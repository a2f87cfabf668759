"""Pruning candidate pairs to the nearest few per need, for the models built from them."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .eligibility import Arrays, Candidates, IntArray, Pairs, _ptr, team_tiebreak


def prune(c: Candidates, arr: Arrays, k_team: int, k_skill: int, k_lead: int) -> Candidates:
    """Keep, per need, the nearest `k_team` members, the nearest `k_skill` holders of each requested
    skill and the nearest `k_lead` leads (resources are scarce and few: all are kept). Far-away
    candidates cost distance and are rarely needed, and dropping them shrinks every model."""
    n_needs = len(arr.n_cell)
    t = c.team
    member_key = team_tiebreak(arr)
    keep = np.zeros(len(t), dtype=bool)
    keep[nearest(t, np.arange(len(t), dtype=np.int64), member_key, k_team)] = True
    by_skill: dict[int, list[int]] = {}
    for i, sk in enumerate(arr.p_skills):
        for s in sk:
            by_skill.setdefault(s, []).append(i)
    # Only pairs of a need asking for skills and a person holding some are looked at per skill.
    asks = np.array([len(sk) > 0 for sk in arr.n_skills], dtype=bool).reshape(n_needs)
    skilled = np.zeros(len(arr.p_cell), dtype=bool)
    skilled[[p for h in by_skill.values() for p in h]] = True
    some = np.flatnonzero(asks[t.need] & skilled[t.ent])
    some_need, some_ent = t.need[some], t.ent[some]
    for s, holders in by_skill.items():
        holds = np.zeros(len(arr.p_cell), dtype=bool)
        holds[holders] = True
        wants = np.array([s in sk for sk in arr.n_skills], dtype=bool).reshape(n_needs)
        keep[nearest(t, some[holds[some_ent] & wants[some_need]], member_key, k_skill)] = True
    lead = c.lead
    keep_l = np.zeros(len(lead), dtype=bool)
    no_key = np.zeros(len(arr.p_cell), dtype=np.int64)
    keep_l[nearest(lead, np.arange(len(lead), dtype=np.int64), no_key, k_lead)] = True
    return Candidates(
        lead.select(keep_l, n_needs), t.select(keep, n_needs), c.res, c.team_rule_count
    )


def nearest(p: Pairs, idx: IntArray, tiebreak: IntArray, k: int) -> IntArray:
    """Of the pairs at positions `idx` (ascending), the first `k` of each need in `p`'s
    nearest-first order, except that candidates tied in distance and `tiebreak` across the k-th
    place are taken from a window of the tie that starts at a place drawn from the need.

    By index, every need of a cell whose people all sit in it (a community or a town that keeps
    no branches) would keep the same k people: they are soon used up and the models serve few of
    its needs (a town of 580 needs in one cell, 20 s: 94.0% of its bound against 99.9% with the
    windows; tests/matching/test_flat.py). Windows drawn per need spread the needs over everyone
    tied; a need's nearest people, when fewer than k, are all kept as before."""
    m = len(idx)
    if not m:
        return idx
    nd = p.need[idx]
    en = p.ent[idx]
    di = p.dist[idx]
    tb = tiebreak[en]
    at = np.arange(m, dtype=np.int64)
    new_need = np.ones(m, dtype=bool)
    new_need[1:] = nd[1:] != nd[:-1]
    need_first = np.maximum.accumulate(np.where(new_need, at, 0))
    new_tie = new_need.copy()
    new_tie[1:] |= (di[1:] != di[:-1]) | (tb[1:] != tb[:-1])
    tie_first = np.maximum.accumulate(np.where(new_tie, at, 0))
    tie = np.cumsum(new_tie) - 1
    tie_from = tie_first - need_first  # place of the tie's first pair within its need
    tie_to = tie_from + np.bincount(tie)[tie]
    chosen = tie_to <= k
    part = np.flatnonzero((tie_from < k) & (tie_to > k))  # ties cut by the k-th place
    if len(part):
        # A cyclic window per need, no sort: a flat town's ties hold millions of pairs.
        size = (tie_to - tie_from)[part]
        start = (_mix(nd[part]) % size.astype(np.uint64)).astype(np.int64)
        place = (at[part] - tie_first[part] - start) % size
        chosen[part[place < k - tie_from[part]]] = True
    out: IntArray = idx[chosen]
    return out


def _mix(need: IntArray) -> npt.NDArray[np.uint64]:
    """A fixed pseudo-random number per need (splitmix64's finaliser)."""
    with np.errstate(over="ignore"):
        x = need.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return x


def rows_of(pairs: Pairs, needs: IntArray) -> IntArray:
    """Indices of the pairs of `needs` (distinct), need by need, each need's in order."""
    starts = pairs.ptr[needs]
    lens = pairs.ptr[needs + 1] - starts
    # One run start..end per need, laid end to end: position i of the output is its run's
    # start plus i's offset within the run.
    first = np.repeat(np.cumsum(lens) - lens, lens)
    rows: IntArray = np.repeat(starts, lens) + (np.arange(len(first), dtype=np.int64) - first)
    return rows


def with_pairs(
    c: Candidates, full: Candidates, lead_keys: IntArray, team_keys: IntArray, n_people: int
) -> Candidates:
    """`c` plus the pairs of `full` named by key (need * n_people + person), in `full`'s order
    within each need (nearest first); keys already in `c` are not repeated."""

    def merge(kept: Pairs, whole: Pairs, keys: IntArray) -> Pairs:
        if not len(keys):
            return kept
        # Only the named needs' pairs are looked at: a few pins in a district whose people
        # reach every town (59 million pairs) took 5 s when every pair was.
        needs = np.unique(keys // n_people)
        at = rows_of(whole, needs)
        k_at = whole.need[at] * n_people + whole.ent[at]
        mine = rows_of(kept, needs)
        k_kept = kept.need[mine] * n_people + kept.ent[mine]
        add = at[np.isin(k_at, keys) & ~np.isin(k_at, k_kept)]
        # Sorted again even when nothing is added: ties in distance then go by entity, as the
        # models and LP have always seen them.
        need = np.concatenate([kept.need, whole.need[add]])
        ent = np.concatenate([kept.ent, whole.ent[add]])
        dist = np.concatenate([kept.dist, whole.dist[add]])
        order = np.lexsort((ent, dist, need))
        need = need[order]
        return Pairs(need, ent[order], dist[order], _ptr(need, len(whole.ptr) - 1))

    return Candidates(
        merge(c.lead, full.lead, lead_keys),
        merge(c.team, full.team, team_keys),
        c.res,
        c.team_rule_count,
    )
