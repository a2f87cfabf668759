"""Reach slices and their expansion into (entity, need, distance) triples.

Reach is an interval test on the Euler tour: with the needs sorted by (category, entry time of
their cell), the needs of one category inside an entity's reach cell are one contiguous slice
`[lo, hi)` of that order. `slices` finds every (entity, category) slice; `expand` turns them into
pairs, optionally only the part of each slice inside a window the pair budget set (budget.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .tree import Tree

IntArray = npt.NDArray[np.int64]
# A window of needs per (entity, category): (rank of each need in the whole order, first rank,
# end rank as dense (entity, category) arrays); set by the pair budget (budget.py).
Window = tuple[IntArray, IntArray, IntArray]


@dataclass
class Side:
    """One kind of entity (people or resources) and the needs that want that kind."""

    cell: IntArray
    reach: IntArray
    cats: IntArray  # categories served, as bits
    needs: IntArray  # ascending


@dataclass
class Slices:
    """The needs in (category, entry time, index) order, and one slice of them per (entity,
    category served): needs `sorted_need[lo[i]:hi[i]]` are the ones entity `ent[i]` reaches in
    category `cat[i]`."""

    sorted_key: IntArray  # category * span + entry time, ascending
    sorted_need: IntArray
    ent: IntArray
    cat: IntArray
    reach: IntArray  # the entity's reach cell, per slice
    lo: IntArray
    hi: IntArray
    span: int


def slices(tree: Tree, side: Side, need_cell: IntArray, need_cat: IntArray) -> Slices:
    """The (entity, category) slices over the side's needs (ascending: ties in the order keep
    need order, so the order of a subset of needs is the whole order restricted to it)."""
    ent_cell, ent_reach, ent_cats, needs = side.cell, side.reach, side.cats, side.needs
    tin = tree.tin[need_cell[needs]]
    cat = need_cat[needs]
    span = len(tree.tin) + 1
    order = np.lexsort((tin, cat))
    sorted_key = cat[order] * span + tin[order]
    rc = tree.reach_cell(ent_cell, ent_reach)
    cats = np.unique(cat)
    e_idx, c_idx = np.nonzero(((ent_cats[:, None] >> cats[None, :]) & 1).astype(bool))
    base = cats[c_idx] * span
    lo = np.searchsorted(sorted_key, base + tree.tin[rc[e_idx]], side="left")
    hi = np.searchsorted(sorted_key, base + tree.tout[rc[e_idx]], side="right")
    return Slices(
        sorted_key, needs[order], e_idx.astype(np.int64), cats[c_idx], rc[e_idx], lo, hi, span
    )


def expand(
    tree: Tree,
    side: Side,
    need_cell: IntArray,
    need_cat: IntArray,
    window: Window | None = None,
) -> tuple[IntArray, IntArray, IntArray]:
    """All (entity, need, distance) triples, of the side's needs only, where the need's cell is
    inside the entity's reach subtree and its category is one the entity serves.

    With `window` = (rank of each need in the whole order, first and end rank kept per (entity,
    category) as dense arrays), only the needs of each slice whose rank lies in the window are
    kept: a window is contiguous in the whole order, so it is contiguous in any subset's.

    Each (entity, category) is one contiguous slice, so the pairs failing the category test
    (most: people serve 1-3 of 8) are never made. Distances come from the same slices: the
    ancestors of the entity's cell below its reach cell cover nested sub-slices, and the LCA's
    depth at a position is the reach cell's depth plus the number of those containing it (a
    difference array and one cumsum, instead of comparing ancestors pair by pair)."""
    s = slices(tree, side, need_cell, need_cat)
    sorted_key, sorted_need, e_idx, lo, hi = s.sorted_key, s.sorted_need, s.ent, s.lo, s.hi
    if window is not None:
        rank, w_lo, w_hi = window
        sorted_rank = rank[sorted_need]  # ascending: the order is the whole order's
        lo = np.maximum(lo, np.searchsorted(sorted_rank, w_lo[e_idx, s.cat], side="left"))
        hi = np.maximum(lo, np.minimum(hi, np.searchsorted(sorted_rank, w_hi[e_idx, s.cat])))
    counts = hi - lo
    total = int(counts.sum())
    start = np.cumsum(counts) - counts
    ent = np.repeat(e_idx, counts)
    # Positions in the sorted needs: +1 along a slice, a jump where the next slice starts (one
    # array and a cumsum: every array of pairs is hundreds of MB of fresh memory on a town).
    pos = np.ones(total, dtype=np.int64)
    rows = np.flatnonzero(counts)
    if len(rows):
        pos[start[rows]] = lo[rows] - np.concatenate(([1], hi[rows[:-1]])) + 1
    np.cumsum(pos, out=pos)
    need = sorted_need[pos]
    del pos
    # dist = depth(entity cell) + depth(need cell) - 2 * depth(LCA): the first and last terms by
    # the difference array over positions, the middle one per pair. Sub-slices are clipped to
    # the kept part of their slice (a no-op without a window: they nest inside it).
    cell = side.cell[e_idx]
    base = s.cat * s.span
    depth, r_depth = tree.depth[cell], tree.depth[s.reach]
    at, step = [start, start + counts], [depth - 2 * r_depth, 2 * r_depth - depth]
    for d in range(1, tree.anc.shape[0]):
        inner = np.flatnonzero((d > r_depth) & (d <= depth))
        a, b, off = tree.anc[d, cell[inner]], base[inner], (start - lo)[inner]
        in_lo, in_hi = lo[inner], hi[inner]
        first = np.searchsorted(sorted_key, b + tree.tin[a], side="left")
        last = np.searchsorted(sorted_key, b + tree.tout[a], side="right")
        at += [np.clip(first, in_lo, in_hi) + off, np.clip(last, in_lo, in_hi) + off]
        step += [np.full(len(inner), -2), np.full(len(inner), 2)]
    dist = np.zeros(total + 1, dtype=np.int64)
    np.add.at(dist, np.concatenate(at), np.concatenate(step))
    np.cumsum(dist, out=dist)
    dist = dist[:total]
    dist += tree.depth.astype(np.int8)[need_cell][need]
    return ent, need, dist
