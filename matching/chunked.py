"""Candidate pairs made a chunk of needs at a time, until the clock says stop.

On a large component and a short time limit the pairs alone can take longer than the limit (a
town whose 6,600 people all reach its 2,200 needs has 7 million). Made in chunks of needs, in
need order, they stop when the run's time is up: the needs not reached get no pairs, and the
run reports them unmatched for `TIME_LIMIT` (timeout.py) and counts their whole priority in its
bound. Pinned needs come first, whatever their place, so that a cut never leaves a pin unplaced
that could have been placed. The work record keeps how far the chunks got (`candidates`), and a
replay makes exactly those chunks.

A need's pairs do not depend on which other needs share its chunk, so pairs made in chunks are
the pairs made at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import numpy as np

from .eligibility import Arrays, BoolArray, Candidates, Pairs, Prepared, generate_for, prepare
from .instance import Instance
from .tree import Tree

# Needs per chunk: large enough that a chunk's fixed cost is small against its pairs, small
# enough that the clock is looked at every few tenths of a second on the densest towns.
CHUNK_NEEDS = 500


def generate_until(
    inst: Instance,
    tree: Tree,
    arr: Arrays,
    pinned: Iterable[int],
    time_left: Callable[[], float],
    upto: int | None = None,
) -> tuple[Candidates, int, BoolArray]:
    """(pairs, how far the chunks got, which needs were cut off).

    Needs `[0, reached)` and the pinned ones have their pairs. A chunk is started while
    `time_left()` exceeds what the last chunk took (one that would end after the run's end
    would only delay its answer) or, when replaying (`upto` given), until `upto` needs are
    reached."""
    n = len(inst.needs)
    prep = prepare(inst, tree, arr)
    made = np.zeros(n, dtype=bool)
    chunks: list[Candidates] = []
    first = np.array(sorted(set(pinned)), dtype=np.int64)
    if len(first):
        chunks.append(generate_for(prep, first))
        made[first] = True
    reached = 0
    took = 0.0
    while reached < n and (time_left() > took if upto is None else reached < upto):
        started = time.monotonic()
        end = min(n, reached + CHUNK_NEEDS)
        needs = np.arange(reached, end, dtype=np.int64)
        chunks.append(generate_for(prep, needs[~made[needs]]))
        made[reached:end] = True
        reached = end
        took = time.monotonic() - started
    return _joined(chunks, prep, reorder=len(first) > 0), reached, ~made


def _joined(chunks: list[Candidates], prep: Prepared, reorder: bool) -> Candidates:
    """One set of pairs from chunks of disjoint needs (each chunk's pairs sorted by need)."""
    n = prep.n_needs
    if len(chunks) == 1:
        return chunks[0]

    def join(parts: list[Pairs]) -> Pairs:
        need = np.concatenate([p.need for p in parts]) if parts else np.zeros(0, np.int64)
        ent = np.concatenate([p.ent for p in parts]) if parts else np.zeros(0, np.int64)
        dist = np.concatenate([p.dist for p in parts]) if parts else np.zeros(0, np.int64)
        if reorder:  # the pinned needs' chunk came first: back into need order, ties kept
            order = np.argsort(need, kind="stable")
            need, ent, dist = need[order], ent[order], dist[order]
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(need, minlength=n), out=ptr[1:])
        return Pairs(need, ent, dist, ptr)

    count = np.zeros(n, dtype=np.int64)
    for c in chunks:
        count += c.team_rule_count
    return Candidates(
        join([c.lead for c in chunks]),
        join([c.team for c in chunks]),
        join([c.res for c in chunks]),
        count,
    )
