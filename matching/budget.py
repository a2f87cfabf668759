"""The pair budget: an instance with more candidate pairs than a process can hold keeps a subset.

The solver needs ~110 bytes per candidate pair at its peak (5.9 GB for the 53 million of a
district whose 3,000 district-wide people reach every town, BENCHMARKS.md); a district whose
people all sit in its one cell has about a billion (984 million counted), which no host of
ours holds. Before
any pair is made, the pairs are counted per (entity, category) slice of needs (expand.py); when
the count is over the budget, every slice longer than a cap is cut to a window of that many
needs, the cap being the largest with the total within budget. Short slices (people of a
village, a branch) keep all their pairs; the long ones (district-wide people) keep the needs
nearest their own cell in the Euler order, and among needs in the entity's own cell, a window
whose place is drawn from the entity's number, so that in a flat instance (everyone in one
cell) each need is still reached by a fair share of everyone.

The answer stays correct (every pair kept is eligible); what it cannot claim is to have looked
at every pair. A need that lost any pair is *capped*: a bound computed over the pairs kept (an
LP's, CP-SAT's) adds the capped needs' whole priority, and the single-need bound counts them in
full (the others lost no pair, so what all pairs give them the pairs kept could give them too).
A capped answer is never called optimal, and an unmatched capped need's reason is
`CANDIDATES_CAPPED` unless it was feasible alone and outprioritised. Pinned needs keep every
pair. The budget comes from `SANDAN_MAX_PAIRS` (default `MAX_PAIRS`) where the solve starts; its
parts, on this machine or a cluster's, are given it with their instance, and a run it capped keeps
it in its work record, so a replay cuts the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .expand import IntArray, Side, Slices, Window, slices
from .tree import Tree

BoolArray = npt.NDArray[np.bool_]

# ~6.6 GB at the peak (measured): two parts side by side at this many would take ~13 GB of 24.
# The district whose 3,000 district-wide people reach every town (53 million) stays whole.
MAX_PAIRS = 60_000_000
CANDIDATES_CAPPED = "CANDIDATES_CAPPED"


class BudgetError(ValueError):
    """SANDAN_MAX_PAIRS is not a positive whole number."""


def max_pairs() -> int:
    raw = os.environ.get("SANDAN_MAX_PAIRS", "").strip()
    if not raw:
        return MAX_PAIRS
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise BudgetError(f"SANDAN_MAX_PAIRS must be a positive whole number, not {raw!r}")
    return value


def pair_budget(replay: dict[str, Any] | None, configured: int | None) -> int | None:
    """The budget of a run: the recorded one when replaying (None: the run kept every pair),
    else `configured` (None: `max_pairs()`, this process's setting)."""
    if replay is not None:
        recorded: int | None = replay.get("max_pairs")
        return recorded
    return max_pairs() if configured is None else configured


@dataclass
class Thinning:
    people: Window | None  # None: every pair of that kind is kept
    res: Window | None
    capped: BoolArray  # needs that lost a pair


def plan(
    tree: Tree,
    n_cell: IntArray,
    n_cat: IntArray,
    people: Side,
    res: Side,
    budget: int | None,
) -> Thinning:
    """The windows that keep the pairs of the sides' needs within `budget` (None: no budget)."""
    n_needs = len(n_cell)
    capped = np.zeros(n_needs, dtype=bool)
    if budget is None:
        return Thinning(None, None, capped)
    found = [slices(tree, s, n_cell, n_cat) for s in (people, res)]
    lengths = np.concatenate([f.hi - f.lo for f in found])
    if int(lengths.sum()) <= budget:
        return Thinning(None, None, capped)
    cap = _cap(lengths, budget)
    n_cat_max = int(n_cat.max()) + 1 if n_needs else 1
    w_people = _windows(tree, found[0], people, cap, n_needs, n_cat_max, capped)
    w_res = _windows(tree, found[1], res, cap, n_needs, n_cat_max, capped)
    return Thinning(w_people, w_res, capped)


def _cap(lengths: IntArray, budget: int) -> int:
    """The largest cap with sum(min(length, cap)) <= budget (at least one need per slice)."""
    lo, hi = 1, int(lengths.max())
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if int(np.minimum(lengths, mid).sum()) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _windows(
    tree: Tree, f: Slices, side: Side, cap: int, n_needs: int, n_cat_max: int, capped: BoolArray
) -> Window:
    rank = np.full(n_needs, -1, dtype=np.int64)
    rank[f.sorted_need] = np.arange(len(f.sorted_need), dtype=np.int64)
    w_lo = np.zeros((len(side.cell), n_cat_max), dtype=np.int64)
    w_hi = np.full((len(side.cell), n_cat_max), len(f.sorted_need), dtype=np.int64)
    long = np.flatnonzero(f.hi - f.lo > cap)
    ent, cat, lo, hi = f.ent[long], f.cat[long], f.lo[long], f.hi[long]
    # The needs in the entity's own cell (subtree) are [a, b) of its slice.
    base, own = cat * f.span, side.cell[ent]
    a = np.searchsorted(f.sorted_key, base + tree.tin[own], side="left")
    b = np.searchsorted(f.sorted_key, base + tree.tout[own], side="right")
    # A fixed odd multiplier spreads the windows' places over the own cell (Knuth's hash).
    draw = (ent * 2654435761 + cat * 40503) % (1 << 31)
    centre = a + draw % np.maximum(b - a, 1)
    first = np.clip(centre - cap // 2, lo, hi - cap)
    w_lo[ent, cat], w_hi[ent, cat] = first, first + cap
    # Needs outside a window lost that entity's pair: [lo, first) and [first + cap, hi).
    lost = np.zeros(len(f.sorted_need) + 1, dtype=np.int64)
    np.add.at(lost, lo, 1)
    np.add.at(lost, first, -1)
    np.add.at(lost, first + cap, 1)
    np.add.at(lost, hi, -1)
    capped[f.sorted_need[np.cumsum(lost)[:-1] > 0]] = True
    return rank, w_lo, w_hi
