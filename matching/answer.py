"""The answer's lists: each deed with its people, resources and explanation, and each unmatched
need with the reasons a person can act on (the contract's `deeds` and `unmatched`)."""

from __future__ import annotations

from typing import Any

from .assignment import Assignment
from .budget import CANDIDATES_CAPPED
from .explain import explain, reasons
from .greedy import Slices
from .problem import Problem
from .run import Run
from .timeout import TIME_LIMIT


def deeds_and_unmatched(
    run: Run, prob: Problem, sl: Slices, asg: Assignment
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every need once, in the instance's order: in the first list if `asg` serves it, else in
    the second (`sl`: every candidate's lists)."""
    inst = prob.inst
    deeds = []
    unmatched = []
    fresh = Assignment(prob.arr)  # full capacities, for "could it be fulfilled alone?"
    # "Alone" is tried on the nearest candidates first, when the search made them: a need of a
    # district whose 3,000 district-wide people all reach it has thousands of candidates, and
    # ~7,500 such needs unmatched took 6 s (profiled), past the time limit.
    first, then = (sl, None) if prob.nearest is None else (Slices(prob, prob.nearest), sl)
    for n, need in enumerate(inst.needs):
        d = asg.deeds.get(n)
        if d is None:
            why = [TIME_LIMIT] if run.is_cut(n) else reasons(prob, n, fresh, first, then)
            if run.capped[n] and why != ["OUTPRIORITISED"]:  # its lists lack pairs left out
                why = [CANDIDATES_CAPPED]
            unmatched.append({"need": need.id, "reasons": why})
            continue
        deeds.append(
            {
                "need": need.id,
                "lead": inst.people[d.lead].id if d.lead >= 0 else None,
                "team": [inst.people[p].id for p in d.team],
                "resources": [{"resource": inst.resources[r].id, "quantity": q} for r, q in d.res],
                "explanation": explain(prob, n, d),
            }
        )
    return deeds, unmatched
