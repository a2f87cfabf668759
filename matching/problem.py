"""Everything the algorithms share about one instance: arrays, the tree, candidate pairs, pins."""

from __future__ import annotations

from dataclasses import dataclass, field

from .eligibility import Arrays, Candidates
from .instance import Instance
from .tree import Tree


@dataclass
class PinSet:
    """Pins of one need: the pinned lead (-1 if none) and pinned team members."""

    lead: int = -1
    team: set[int] = field(default_factory=set)


@dataclass
class Problem:
    inst: Instance
    tree: Tree
    arr: Arrays
    full: Candidates  # every eligible pair (for reasons and the bound)
    cands: Candidates  # the pairs models are built from (maybe pruned)
    pins: dict[int, PinSet]
    exact_candidates: bool  # cands == full, so a proved model optimum is a true optimum
    # Each need's nearest candidates, once made (component.nearest_candidates): the pins and the
    # search both use them, and on a town whose people all reach every need they take seconds.
    nearest: Candidates | None = field(default=None, repr=False, compare=False)

    @property
    def n_needs(self) -> int:
        return len(self.inst.needs)
