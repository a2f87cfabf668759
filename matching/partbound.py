"""A part's bound before its search starts, so that progress lines of a split instance give a
meaningful whole-instance bound from early on (parts.py runs this for every part first).

The bound is the LP (Lagrangian) bound of each large component, as its search would compute it,
plus the single-need bound of the small components. It only feeds progress lines: the solution's
bound is still the part's own, so a replay gives the same answer byte for byte.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from . import eligibility
from .assignment import Assignment
from .component import nearest_candidates
from .components import components
from .exact import split_components
from .instance import parse_instance
from .lp import lp_guidance
from .pins import group
from .problem import Problem
from .run import Run
from .tree import Tree


def part_bound(payload: dict[str, Any]) -> float:
    """Upper bound on one part's priority sum (payload as for `solver.solve_part`)."""
    started = time.monotonic() - max(0.0, time.time() - payload["dispatched"])
    inst = parse_instance(payload["instance"])
    run = Run(inst, started, payload["time_limit"], payload["workers"], payload["seed"], None, None)
    try:
        tree = Tree(inst)
        arr = eligibility.build_arrays(inst)
        full = eligibility.generate(inst, tree, arr)
        prob = Problem(inst, tree, arr, full, full, group(inst), True)
        small, large = split_components(prob, components(full, len(inst.needs), len(inst.people)))
        rest = [np.asarray(b, dtype=np.int64) for b in small]
        bound = run.alone_bound(prob, np.concatenate(rest) if rest else np.zeros(0, np.int64))
        cands = nearest_candidates(prob)
        sub = Problem(inst, tree, arr, full, cands, prob.pins, False)
        for comp in large:
            lp = lp_guidance(run, sub, comp, Assignment(arr)).bound
            bound += min(lp, run.alone_bound(prob, comp))
        return bound
    finally:
        run.close()
