"""The LP relaxation's columns and rows, built with numpy from the candidate pairs.

Columns: y per need (fulfilled or not), then one per lead, team and resource pair. Rows: links
between y and its pairs, skills, units per requested kind, and one capacity row per person or
resource that its pairs could over-use (their duals price the capacities; see lp.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix

from .eligibility import Arrays, FloatArray, IntArray
from .instance import N_KINDS
from .problem import Problem

Caps = tuple[FloatArray, FloatArray, FloatArray, FloatArray]  # lead, deeds, hours, res


def capacities(arr: Arrays) -> Caps:
    """Right-hand sides of the capacity rows: leads, deeds, hours per person; units per resource."""
    return (
        arr.p_lead.astype(np.float64),
        arr.p_deeds.astype(np.float64),
        arr.p_hours.astype(np.float64),
        arr.r_cap.astype(np.float64),
    )


@dataclass
class Cols:
    """The LP's columns: y per need of the part, then lead, team and resource pair variables."""

    comp: IntArray
    y_of: IntArray  # need -> its y column (-1 outside the part)
    lead: tuple[IntArray, IntArray]  # (need, person) of each lead pair
    team: tuple[IntArray, IntArray]
    res: tuple[IntArray, IntArray]  # (need, resource)
    qmap: FloatArray  # (y slot, kind) -> units requested
    items: tuple[IntArray, IntArray]  # (y slot, kind) of each requested item, in request order
    hi: FloatArray  # column upper bounds
    off_l: int
    off_t: int
    off_r: int


def columns(prob: Problem, comp: IntArray) -> Cols:
    arr, c = prob.arr, prob.cands
    in_comp = np.zeros(prob.n_needs, dtype=bool)
    in_comp[comp] = True
    pairs = []
    for p in (c.lead, c.team, c.res):
        keep = in_comp[p.need]
        pairs.append((p.need[keep], p.ent[keep]))
    ny = len(comp)
    nl, nt = len(pairs[0][0]), len(pairs[1][0])
    y_of = np.full(prob.n_needs, -1, dtype=np.int64)
    y_of[comp] = np.arange(ny)
    qmap = np.zeros((ny, N_KINDS), dtype=np.float64)
    slots, kinds = [], []
    for i, n in enumerate(comp.tolist()):
        for k, q in arr.n_items[n]:
            qmap[i, k] = q
            slots.append(i)
            kinds.append(k)
    items = (np.array(slots, dtype=np.int64), np.array(kinds, dtype=np.int64))
    r_need, r_ent = pairs[2]
    # A resource pair carries up to min(requested units of its kind, capacity) units.
    r_q = qmap[y_of[r_need], arr.r_kind[r_ent]]
    hi = np.concatenate(
        [np.ones(ny + nl + nt), np.minimum(r_q, arr.r_cap[r_ent].astype(np.float64))]
    )
    return Cols(
        comp, y_of, pairs[0], pairs[1], pairs[2], qmap, items, hi, ny, ny + nl, ny + nl + nt
    )


def link_rows(prob: Problem, k: Cols, rows: Rows) -> None:
    """Links between y and its pairs: sum(lead pairs) = y, sum(team pairs) = volunteers * y."""
    arr = prob.arr
    needs_lead = arr.n_lead[k.comp]
    vol = arr.n_vol[k.comp].astype(np.float64)
    for mask, coef, (need, _), off in (
        (needs_lead, np.ones(len(vol)), k.lead, k.off_l),
        (vol > 0, vol, k.team, k.off_t),
    ):
        row = rows.block(mask, 0.0, 0.0)
        rows.put(row[mask], np.flatnonzero(mask), -coef[mask])
        keep = mask[k.y_of[need]]
        rows.put(row[k.y_of[need]][keep], off + np.flatnonzero(keep), 1.0)


def skill_rows(prob: Problem, k: Cols, rows: Rows) -> None:
    """Skills: the members holding each requested skill cover y."""
    arr = prob.arr
    req_slot, req_skill = [], []
    for i, n in enumerate(k.comp.tolist()):
        if arr.n_vol[n] > 0:
            for sk in arr.n_skills[n]:
                req_slot.append(i)
                req_skill.append(sk)
    if not req_slot:
        return
    t_need, t_ent = k.team
    r_slot = np.array(req_slot, dtype=np.int64)
    first = rows.add(len(r_slot), 0.0, float("inf"))
    rows.put(first + np.arange(len(r_slot)), r_slot, -1.0)
    # Expand every team pair by its need's requests; keep the pairs holding the skill.
    per = np.bincount(r_slot, minlength=len(k.comp))
    start = np.cumsum(per) - per
    slot_t = k.y_of[t_need]
    reps = per[slot_t]
    pair = np.repeat(np.arange(len(t_need)), reps)
    req = np.repeat(start[slot_t] - np.cumsum(reps) + reps, reps) + np.arange(len(pair))
    n_sk = max(1, len(arr.skill_ids))
    held = _person_skill_keys(arr, n_sk)
    key = t_ent[pair] * n_sk + np.array(req_skill, dtype=np.int64)[req]
    ok = _member(key, held)
    rows.put(first + req[ok], k.off_t + pair[ok], 1.0)


def item_rows(prob: Problem, k: Cols, rows: Rows) -> None:
    """Units per requested kind: sum of the kind's resource pairs = q * y."""
    i_slot, i_kind = k.items
    if not len(i_slot):
        return
    r_need, r_ent = k.res
    item_row = np.full(k.qmap.shape, -1, dtype=np.int64)
    first = rows.add(len(i_slot), 0.0, 0.0)
    item_row[i_slot, i_kind] = first + np.arange(len(i_slot))
    rows.put(item_row[i_slot, i_kind], i_slot, -k.qmap[i_slot, i_kind])
    at = item_row[k.y_of[r_need], prob.arr.r_kind[r_ent]]
    rows.put(at[at >= 0], k.off_r + np.flatnonzero(at >= 0), 1.0)


def capacity_rows(
    prob: Problem, k: Cols, caps: Caps, rows: Rows
) -> list[tuple[str, IntArray, IntArray]]:
    """One row per entity that its pairs could over-use; returns them by kind, for the duals."""
    cap_rows: list[tuple[str, IntArray, IntArray]] = []
    nl, nt, nr = len(k.lead[0]), len(k.team[0]), len(k.res[0])
    hours_t = prob.arr.n_hours[k.team[0]].astype(np.float64)
    for name, ents, off, coef, cap in (
        ("lead", k.lead[1], k.off_l, np.ones(nl), caps[0]),
        ("deeds", k.team[1], k.off_t, np.ones(nt), caps[1]),
        ("hours", k.team[1], k.off_t, hours_t, caps[2]),
        ("res", k.res[1], k.off_r, np.ones(nr), caps[3]),
    ):
        if len(ents) == 0:
            continue
        # The most the row's left side can reach; rows that can never bind are left out.
        reach = np.bincount(ents, weights=coef * k.hi[off : off + len(ents)], minlength=len(cap))
        ent_ids = np.flatnonzero(reach > cap + 1e-9)
        first = rows.add(len(ent_ids), -float("inf"), cap[ent_ids])
        row_of = np.full(len(cap), -1, dtype=np.int64)
        row_of[ent_ids] = first + np.arange(len(ent_ids))
        at = row_of[ents]
        keep = at >= 0
        rows.put(at[keep], off + np.flatnonzero(keep), coef[keep])
        cap_rows.append((name, ent_ids, row_of[ent_ids]))
    return cap_rows


class Rows:
    """The LP's constraint matrix as coordinate triplets, rows numbered as they are added."""

    def __init__(self) -> None:
        self.n = 0
        self.hi_parts: list[FloatArray] = []
        self.lo_parts: list[FloatArray] = []
        self.r: list[IntArray] = []
        self.c: list[IntArray] = []
        self.v: list[FloatArray] = []

    def add(self, count: int, lb: float, ub: float | FloatArray) -> int:
        """Append `count` rows with bounds [lb, ub]; returns the first one's number."""
        first = self.n
        self.n += count
        self.lo_parts.append(np.full(count, lb))
        self.hi_parts.append(np.broadcast_to(np.asarray(ub, dtype=np.float64), (count,)))
        return first

    def block(self, mask: npt.NDArray[np.bool_], lb: float, ub: float) -> IntArray:
        """One row per true entry of `mask`; returns each entry's row (-1 where false)."""
        first = self.add(int(mask.sum()), lb, ub)
        out = np.full(len(mask), -1, dtype=np.int64)
        out[mask] = first + np.arange(int(mask.sum()))
        return out

    def put(self, rows: IntArray, cols: IntArray, vals: float | FloatArray) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        self.r.append(rows)
        self.c.append(np.asarray(cols, dtype=np.int64))
        self.v.append(np.broadcast_to(np.asarray(vals, dtype=np.float64), rows.shape))

    def bounds(self) -> tuple[FloatArray, FloatArray]:
        z = np.zeros(0)
        return np.concatenate([z, *self.lo_parts]), np.concatenate([z, *self.hi_parts])

    def matrix(self, n_col: int) -> Any:
        z = np.zeros(0, dtype=np.int64)
        r, c = np.concatenate([z, *self.r]), np.concatenate([z, *self.c])
        v = np.concatenate([np.zeros(0), *self.v])
        # Rows of repeated (row, column) entries are summed by the conversion, as intended.
        return coo_matrix((v, (r, c)), shape=(self.n, n_col)).tocsr()


def _person_skill_keys(arr: Arrays, n_skills: int) -> IntArray:
    """Sorted keys person * n_skills + skill of every requested skill a person holds."""
    keys = [p * n_skills + sk for p, held in enumerate(arr.p_skills) for sk in held]
    return np.array(sorted(keys), dtype=np.int64)


def _member(keys: IntArray, sorted_keys: IntArray) -> npt.NDArray[np.bool_]:
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    out: npt.NDArray[np.bool_] = sorted_keys[at] == keys
    return out
