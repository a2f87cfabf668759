"""The rules across deeds: capacities, pins, and the objective and bound the solution reports."""

from __future__ import annotations

from typing import Any, TypeGuard

from .deeds import Tally
from .model import Instance
from .report import CheckReport, Rule

# Hours are summed from floats; a sum this close to the limit is within it.
HOURS_TOLERANCE = 1e-9


def check_capacities(inst: Instance, tally: Tally, report: CheckReport) -> None:
    """No one joins more deeds or gives more hours or leads more than they offer; no resource
    gives more units than its capacity."""
    for pid, needs in tally.team_of.items():
        person = inst.people[pid]
        _deeds_within(report, Rule.MAX_DEEDS, pid, "member of", len(needs), person.max_deeds)
        hours = sum(inst.needs[n].hours for n in needs)
        if hours > person.hours + HOURS_TOLERANCE:
            report.add(
                Rule.HOURS,
                f"{hours:g} hours as a team member; the person gives {person.hours:g}",
                person=pid,
            )
    for pid, needs in tally.lead_of.items():
        person = inst.people[pid]
        _deeds_within(report, Rule.MAX_LEAD, pid, "leads", len(needs), person.max_lead)
    for rid, used in tally.units.items():
        cap = inst.resources[rid].capacity
        if used > cap:
            report.add(Rule.CAPACITY, f"{used} unit(s) drawn; capacity is {cap}", resource=rid)


def _deeds_within(
    report: CheckReport, rule: Rule, pid: str, doing: str, count: int, limit: int
) -> None:
    """A person's count of deeds as a member or lead (`doing`) against the limit of the field
    `rule` is named after (max_deeds, max_lead)."""
    if count > limit:
        report.add(rule, f"{doing} {count} deeds; {rule.value.lower()} is {limit}", person=pid)


def check_pins(inst: Instance, tally: Tally, report: CheckReport) -> None:
    """Each pinned need is fulfilled with the pinned person in the pinned role."""
    for need_id, person_id, role in inst.pins:
        deed = tally.fulfilled.get(need_id)
        if deed is None:
            message = f"pinned need is not fulfilled (pin {role} {person_id})"
        elif role == "LEAD" and deed[0] != person_id:
            message = f"pinned lead is not the lead (lead is {deed[0]})"
        elif role == "TEAM" and person_id not in deed[1]:
            message = "pinned team member is not in the team"
        else:
            continue
        report.add(Rule.PIN, message, need=need_id, person=person_id)


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_objective(solution: dict[str, Any], tally: Tally, report: CheckReport) -> None:
    """The reported priority and distance equal those recomputed from the deeds."""
    objective = solution.get("objective")
    if not isinstance(objective, dict):
        report.add(Rule.OBJECTIVE_MISMATCH, "the solution reports no objective")
        return
    for key, value in (("priority", tally.priority), ("distance", tally.distance)):
        reported = objective.get(key)
        if not _number(reported) or reported != value:
            report.add(Rule.OBJECTIVE_MISMATCH, f"reported {key} {reported!r}, recomputed {value}")


def check_bound(
    inst: Instance, solution: dict[str, Any], tally: Tally, report: CheckReport
) -> None:
    """The priority bound lies between the recomputed priority (equal when OPTIMAL) and the sum
    of all priorities."""
    priority = tally.priority
    bound = solution.get("bound")
    bound_p = bound.get("priority") if isinstance(bound, dict) else None
    if not _number(bound_p):
        report.add(Rule.BOUND, f"the solution reports no priority bound ({bound!r})")
        return
    if bound_p < priority:
        report.add(Rule.BOUND, f"bound {bound_p} is below the recomputed priority {priority}")
    elif solution.get("status") == "OPTIMAL" and bound_p != priority:
        report.add(Rule.BOUND, f"OPTIMAL, but bound {bound_p} differs from the priority {priority}")
    total = sum(n.priority for n in inst.needs.values())
    if bound_p > total:
        report.add(Rule.BOUND, f"bound {bound_p} exceeds the sum of all priorities {total}")
