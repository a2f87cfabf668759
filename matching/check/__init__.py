"""Independent checker for matching solutions (contract version 1).

This package deliberately shares no code with the solver (a test keeps it importing nothing from
the rest of ``sandan.matching``): it re-reads the instance and re-applies the contract's rules
(eligibility, feasibility, pins, objective) straight from ``shared/contract/matching.md`` so that
it can catch solver bugs.

    report = check(instance, solution)
    report.ok, report.violations, report.priority, report.distance

Where the contract leaves room, the reading is stated where the rule lives (reach in
``eligibility``, missing quantities in ``instance``); skills must be held by team members (the
lead does not count), as the contract says.
"""

from __future__ import annotations

from typing import Any

from .deeds import AnswerRules
from .eligibility import distance, eligibility
from .instance import read_instance
from .model import STATUSES, Instance
from .report import CheckReport, Rule, Violation
from .totals import check_bound, check_capacities, check_objective, check_pins

__all__ = [
    "CheckReport",
    "Rule",
    "Violation",
    "check",
    "distance",
    "eligibility",
    "read_instance",
]


def check(instance: Any, solution: Any) -> CheckReport:
    """Check ``solution`` against ``instance`` by the contract's rules; never raises."""
    report = CheckReport()
    inst, errors = read_instance(instance)
    if inst is None:
        report.instance_valid = False
        report.violations.extend(errors)
        return report
    if not isinstance(solution, dict):
        report.add(Rule.SOLUTION_FORMAT, "the solution must be a JSON object")
        return report
    version = solution.get("version")
    if isinstance(version, bool) or version != 1:
        report.add(Rule.SOLUTION_FORMAT, f"version must be 1, got {version!r}")
    status = solution.get("status")
    report.status = status if isinstance(status, str) else None
    if report.status not in STATUSES:
        report.add(Rule.STATUS, f"unknown status {status!r}")
    elif status == "INVALID_INSTANCE":
        report.add(Rule.STATUS, "the instance is valid, but the solver called it invalid")
    elif status == "INFEASIBLE_PINS":
        check_conflicts(inst, solution, report)
    else:
        check_assignment(inst, solution, report)
    return report


def check_conflicts(inst: Instance, solution: dict[str, Any], report: CheckReport) -> None:
    """INFEASIBLE_PINS needs pins, and names conflicts; a conflict naming a pair names a pin."""
    if not inst.pins:
        report.add(Rule.STATUS, "INFEASIBLE_PINS, but the instance has no pins")
    conflicts = solution.get("conflicts")
    if not isinstance(conflicts, list) or not conflicts:
        report.add(Rule.STATUS, "INFEASIBLE_PINS must name the pins in conflict")
        return
    pinned = {(n, p) for n, p, _ in inst.pins}
    for i, conflict in enumerate(conflicts):
        if isinstance(conflict, dict) and "need" in conflict and "person" in conflict:
            pair = (str(conflict["need"]), str(conflict["person"]))
            if pair not in pinned:
                report.add(
                    Rule.STATUS,
                    f"conflicts[{i}] names no pin of the instance: {pair}",
                    path=f"conflicts[{i}]",
                )


def check_assignment(inst: Instance, solution: dict[str, Any], report: CheckReport) -> None:
    """A FEASIBLE or OPTIMAL solution: every entry, then the rules across deeds."""
    answers = AnswerRules(inst, report)
    deeds = solution.get("deeds")
    unmatched = solution.get("unmatched")
    if not isinstance(deeds, list):
        report.add(Rule.SOLUTION_FORMAT, "deeds must be a list")
        deeds = []
    if not isinstance(unmatched, list):
        report.add(Rule.SOLUTION_FORMAT, "unmatched must be a list")
        unmatched = []
    for i, deed in enumerate(deeds):
        answers.deed(i, deed)
    for i, entry in enumerate(unmatched):
        answers.unmatched(i, entry)
    answers.missing()
    tally = answers.tally
    check_capacities(inst, tally, report)
    check_pins(inst, tally, report)
    report.priority = tally.priority
    report.distance = tally.distance
    check_objective(solution, tally, report)
    check_bound(inst, solution, tally, report)
