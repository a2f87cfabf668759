"""Pruning candidate pairs to the nearest few per need, for the models built from them."""

from __future__ import annotations

import numpy as np

from .eligibility import Arrays, BoolArray, Candidates, IntArray, Pairs, _ptr


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


def with_pairs(
    c: Candidates, full: Candidates, lead_keys: IntArray, team_keys: IntArray, n_people: int
) -> Candidates:
    """`c` plus the pairs of `full` named by key (need * n_people + person), in `full`'s order
    within each need (nearest first); keys already in `c` are not repeated."""

    def merge(kept: Pairs, whole: Pairs, keys: IntArray) -> Pairs:
        if not len(keys):
            return kept
        k_whole = whole.need * n_people + whole.ent
        add = np.isin(k_whole, keys) & ~np.isin(k_whole, kept.need * n_people + kept.ent)
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
