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

# Needs per chunk: at least `CHUNK_NEEDS`, and at most `MAX_CHUNKS` chunks. A chunk costs a pass
# over every entity (its reach and categories), ~30 ms on a district's 58,644 people: in chunks
# of 500 the district's pairs took 1.6 s against 0.36 s at once; a town's chunk of 500 needs
# takes 0.07 s, so the clock is looked at often enough.
CHUNK_NEEDS = 500
MAX_CHUNKS = 8
# With this many seconds left the pairs are made at once (the same pairs, chunks' cost saved):
# they take 0.3-2 s on the largest instances measured.
AT_ONCE_ABOVE = 30.0


def generate_until(
    inst: Instance,
    tree: Tree,
    arr: Arrays,
    pinned: Iterable[int],
    time_left: Callable[[], float],
    upto: int | None = None,
    budget: int | None = None,
) -> tuple[Candidates, int, BoolArray, BoolArray]:
    """(pairs, how far the chunks got, which needs were cut off, which the pair budget capped).

    Needs `[0, reached)` and the pinned ones have their pairs. A chunk is started while
    `time_left()` exceeds what the last chunk took (one that would end after the run's end
    would only delay its answer) or, when replaying (`upto` given), until `upto` needs are
    reached."""
    n = len(inst.needs)
    prep = prepare(inst, tree, arr, budget)
    capped = prep.thinning.capped
    if (upto is None and time_left() > AT_ONCE_ABOVE) or (upto is not None and upto >= n):
        return generate_for(prep, np.arange(n, dtype=np.int64)), n, np.zeros(n, dtype=bool), capped
    made = np.zeros(n, dtype=bool)
    chunks: list[Candidates] = []
    first = np.array(sorted(set(pinned)), dtype=np.int64)
    if len(first):
        chunks.append(generate_for(prep, first))
        made[first] = True
    size = max(CHUNK_NEEDS, -(-n // MAX_CHUNKS))
    reached = 0
    took = 0.0
    while reached < n and (time_left() > took if upto is None else reached < upto):
        started = time.monotonic()
        end = min(n, reached + size)
        needs = np.arange(reached, end, dtype=np.int64)
        chunks.append(generate_for(prep, needs[~made[needs]]))
        made[reached:end] = True
        reached = end
        took = time.monotonic() - started
    return _joined(chunks, prep), reached, ~made, capped


def _joined(chunks: list[Candidates], prep: Prepared) -> Candidates:
    """One set of pairs from chunks of disjoint needs, each sorted by need: every pair is put
    at its need's place (the pinned needs' chunk came first), with no sort."""
    n = prep.n_needs
    if len(chunks) == 1:
        return chunks[0]

    def join(parts: list[Pairs]) -> Pairs:
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(sum(np.diff(p.ptr) for p in parts), out=ptr[1:])
        need = np.empty(int(ptr[-1]), dtype=np.int64)
        ent, dist = np.empty_like(need), np.empty_like(need)
        for p in parts:
            at = np.arange(len(p.need), dtype=np.int64) - p.ptr[p.need] + ptr[p.need]
            need[at], ent[at], dist[at] = p.need, p.ent, p.dist
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
