"""Independent sub-problems: needs linked through a shared eligible person or resource.

Two needs with no candidate in common (even transitively) never compete, so each connected
component of the need-candidate graph can be solved on its own and the optima add up. Components
are found by min-label propagation on the bipartite graph, alternating segment minima over pairs
sorted by need and by entity (numpy `minimum.reduceat`), which is linear per round.
"""

from __future__ import annotations

import numpy as np

from .eligibility import Candidates, IntArray


def components(c: Candidates, n_needs: int, n_people: int) -> list[IntArray]:
    """Need indices of each component (isolated needs form singletons), in a deterministic order."""
    need = np.concatenate([c.lead.need, c.team.need, c.res.need])
    # Entities are numbered after the people: resources are offset by the number of people.
    ent = np.concatenate([c.lead.ent, c.team.ent, c.res.ent + n_people])
    labels = np.arange(n_needs, dtype=np.int64)
    if len(need):
        by_ent = np.argsort(ent, kind="stable")
        e_sorted, n_by_ent = ent[by_ent], need[by_ent]
        e_starts = np.flatnonzero(np.r_[True, e_sorted[1:] != e_sorted[:-1]])
        e_id = np.cumsum(np.r_[False, e_sorted[1:] != e_sorted[:-1]])
        by_need = np.argsort(need, kind="stable")
        n_sorted = need[by_need]
        n_starts = np.flatnonzero(np.r_[True, n_sorted[1:] != n_sorted[:-1]])
        n_ids = n_sorted[n_starts]
        ent_pos = np.empty(len(need), dtype=np.int64)
        ent_pos[by_ent] = e_id  # entity slot of each pair
        while True:
            ent_label = np.minimum.reduceat(labels[n_by_ent], e_starts)
            pair_label = ent_label[ent_pos]
            new_need = np.minimum.reduceat(pair_label[by_need], n_starts)
            changed = new_need < labels[n_ids]
            if not changed.any():
                break
            labels[n_ids] = np.minimum(labels[n_ids], new_need)
            labels = labels[labels]  # pointer jumping: labels are need indices
    order = np.argsort(labels, kind="stable")
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    return [np.sort(part) for part in np.split(order, cuts)]
