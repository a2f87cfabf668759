"""A part's bound before its search starts, so that progress lines of a split instance give a
meaningful whole-instance bound from early on (parts.py runs this for every part first).

The bound is the LP (Lagrangian) bound of each large component, as its search would compute it,
plus the single-need bound of the small components. It only feeds progress lines: the solution's
bound is still the part's own. Each large component's LP goes on to the part's search, which
uses it instead of solving the same LP again (`lp.reusable`). When replaying, each LP solves the
number of LP parts the part's work record names, so a replay gives the same answer byte for byte.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import eligibility
from .assignment import Assignment
from .budget import pair_budget
from .component import nearest_candidates
from .components import components
from .exact import split_components
from .instance import parse_instance
from .lp import Guidance, lp_guidance
from .pins import group
from .problem import Problem
from .run import Run
from .tree import Tree


@dataclass
class PartBound:
    bound: float  # upper bound on the part's priority sum
    lp: list[Guidance] = field(default_factory=list)  # each large component's, in their order
    large: int = 0  # how many large components the part has (none: its search stops on its own)


def part_bound(payload: dict[str, Any]) -> PartBound:
    """One part's bound and LPs (payload as for `solver.solve_part`, `replay` its record)."""
    started = time.monotonic() - max(0.0, time.time() - payload["dispatched"])
    inst = parse_instance(payload["instance"])
    replay = payload.get("replay")
    limit, workers, seed = payload["time_limit"], payload["workers"], payload["seed"]
    run = Run(inst, started, limit, workers, seed, None, None, replay)
    # A record without this component (another instance's) fails in the part's search, as ever.
    recorded = [] if replay is None else replay.get("large", [])
    try:
        tree = Tree(inst)
        arr = eligibility.build_arrays(inst)
        budget = pair_budget(replay, payload.get("max_pairs"))
        prep = eligibility.prepare(inst, tree, arr, budget)
        full = eligibility.generate_for(prep, np.arange(len(inst.needs), dtype=np.int64))
        run.cap_off(prep.thinning.capped, arr.n_priority)
        prob = Problem(inst, tree, arr, full, full, group(inst), True)
        small, large = split_components(prob, components(full, len(inst.needs), len(inst.people)))
        rest = [np.asarray(b, dtype=np.int64) for b in small]
        rest_bound = run.alone_bound(prob, np.concatenate(rest) if rest else np.zeros(0, int))
        out = PartBound(rest_bound, large=len(large))
        cands = nearest_candidates(prob)
        sub = Problem(inst, tree, arr, full, cands, prob.pins, False)
        for j, comp in enumerate(large):
            solve_parts = recorded[j]["lp"] if j < len(recorded) else None
            priced = recorded[j].get("priced") if j < len(recorded) else None
            # The part's time left by size, not a search's share of it (an LP cut short is
            # solved again by the search).
            share = len(comp) / sum(len(c) for c in large[j:])
            guide = lp_guidance(run, sub, comp, Assignment(arr), solve_parts, share, True, priced)
            guide.stats["computed_in"] = "bounds"
            out.lp.append(guide)
            out.bound += min(guide.bound + run.capped_of(comp), run.alone_bound(prob, comp))
        return out
    finally:
        run.close()
