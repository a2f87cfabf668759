"""The cell forest as numpy arrays: depth, Euler-tour intervals, reach cells and tree distances.

Levels strictly decrease down the tree, so a tree is at most five cells deep; an ancestor table
`anc[d, c]` (ancestor of `c` at depth `d`) makes both "the ancestor at a level" and the lowest
common ancestor a handful of vectorised comparisons, with no per-pair Python.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .instance import Instance

IntArray = npt.NDArray[np.int64]


def path_distance(pa: Sequence[object], pb: Sequence[object]) -> int:
    """Tree edges between two cells given their root-first paths (of ids or indices)."""
    common = 0
    for x, y in zip(pa, pb, strict=False):
        if x != y:
            break
        common += 1
    return len(pa) + len(pb) - 2 * common


class Tree:
    """Arrays over cells: `parent`, `level`, `depth`, `tin`/`tout` (subtree = tin..tout)."""

    def __init__(self, inst: Instance) -> None:
        n = len(inst.cells)
        self.parent = np.array([c.parent for c in inst.cells], dtype=np.int64).reshape(n)
        self.level = np.array([c.level for c in inst.cells], dtype=np.int64).reshape(n)
        children: list[list[int]] = [[] for _ in range(n)]
        roots: list[int] = []
        for i, cell in enumerate(inst.cells):
            (children[cell.parent] if cell.parent >= 0 else roots).append(i)
        self.depth = np.zeros(n, dtype=np.int64)
        self.tin = np.zeros(n, dtype=np.int64)
        self.tout = np.zeros(n, dtype=np.int64)
        self.root = np.zeros(n, dtype=np.int64)
        order: list[int] = []  # pre-order, parents before children
        clock = 0
        for r in roots:
            stack = [(r, False)]
            while stack:
                c, done = stack.pop()
                if done:
                    self.tout[c] = clock - 1
                    continue
                order.append(c)
                self.tin[c] = clock
                clock += 1
                self.root[c] = r if c == r else self.root[self.parent[c]]
                if c != r:
                    self.depth[c] = self.depth[self.parent[c]] + 1
                stack.append((c, True))
                stack.extend((k, False) for k in reversed(children[c]))
        self.order = np.array(order, dtype=np.int64)
        max_depth = int(self.depth.max()) if n else 0
        # anc[d, c]: ancestor of c at depth d (c itself at its own depth), -1 below c's depth.
        self.anc = np.full((max_depth + 1, n), -1, dtype=np.int64)
        for c in order:
            p = int(self.parent[c])
            if p >= 0:
                self.anc[:, c] = self.anc[:, p]
            self.anc[self.depth[c], c] = c
        # reach_of[L, c]: the reach cell of an entity at c with reach level L (row 5 = null reach):
        # the nearest ancestor-or-self at or above level L, or the root when none is.
        self.reach_of = np.zeros((6, n), dtype=np.int64)
        for lvl in range(5):
            row = self.reach_of[lvl]
            for c in order:
                p = int(self.parent[c])
                row[c] = c if (self.level[c] <= lvl or p < 0) else row[p]
        self.reach_of[5] = self.root

    def distance1(self, a: int, b: int) -> int:
        """Tree edges between two cells (scalar version of `distance`)."""
        if not hasattr(self, "_paths"):
            self._paths = [
                tuple(int(x) for x in self.anc[: self.depth[c] + 1, c])
                for c in range(len(self.depth))
            ]
        return path_distance(self._paths[a], self._paths[b])

    def reach_cell(self, cells: IntArray, reach: IntArray) -> IntArray:
        """Reach cell of entities at `cells` with reach levels `reach` (-1 = whole tree)."""
        lvl = np.where(reach < 0, 5, reach)
        out: IntArray = self.reach_of[lvl, cells]
        return out

    def distance(self, a: IntArray, b: IntArray) -> IntArray:
        """Tree edges between cells a[i] and b[i] (same tree assumed)."""
        lca_depth = np.zeros(len(a), dtype=np.int64)
        for d in range(1, self.anc.shape[0]):
            same = (self.anc[d, a] == self.anc[d, b]) & (self.anc[d, a] >= 0)
            lca_depth = np.where(same, d, lca_depth)
        out: IntArray = self.depth[a] + self.depth[b] - 2 * lca_depth
        return out


# A region is cut into pieces above this many times its target size (see `regions`).
SPLIT_ABOVE = 4


def regions(tree: Tree, n_cell: IntArray, needs: IntArray, target: int = 70) -> list[list[int]]:
    """Split needs into subtrees of roughly `target` needs (villages in the usual grid).

    `n_cell` is the cell of every need; the depth whose subtrees come closest to `target` needs
    each (on a log scale) is chosen. A subtree still holding more than `SPLIT_ABOVE` times the
    target (a community or a town that keeps no branches: all its needs in one cell) is cut into
    pieces of about the target, its needs taken in the order of their cells and then by index."""
    cells = n_cell[needs]
    best: list[list[int]] = [[int(n) for n in needs]]
    best_gap = float("inf")
    for depth in range(tree.anc.shape[0]):
        anc = tree.anc[depth, cells]
        anc = np.where(anc < 0, cells, anc)
        keys, inv = np.unique(anc, return_inverse=True)
        gap = abs(np.log(len(needs) / len(keys) / target))
        if gap < best_gap:
            best_gap = gap
            groups: list[list[int]] = [[] for _ in keys]
            for n, g in zip(needs.tolist(), inv.tolist(), strict=True):
                groups[g].append(n)
            best = groups
    out: list[list[int]] = []
    for g in best:
        if len(g) <= SPLIT_ABOVE * target:
            out.append(g)
            continue
        ordered = sorted(g, key=lambda n: (int(tree.tin[n_cell[n]]), n))
        pieces = -(-len(ordered) // target)
        out.extend(
            ordered[i * len(ordered) // pieces : (i + 1) * len(ordered) // pieces]
            for i in range(pieces)
        )
    return out
