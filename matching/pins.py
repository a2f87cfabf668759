"""Pins: group them per need, find the ones that cannot all hold, and place the pinned needs first.

Conflicts are found in two steps: rule checks that name one pin and a reason (ineligible person,
two leads, too many members, a person pinned beyond their limits), then, if those pass, a CP-SAT
model of the pinned needs alone with one assumption literal per pin; an infeasible model returns
a subset of assumptions that cannot hold together (CP-SAT's sufficient assumptions).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from .assignment import Assignment, Deed
from .explain import why_not
from .instance import Instance, Pin
from .problem import PinSet, Problem


def group(inst: Instance) -> dict[int, PinSet]:
    out: dict[int, PinSet] = {}
    for pin in inst.pins:
        ps = out.setdefault(pin.need, PinSet())
        if pin.role == "LEAD":
            ps.lead = pin.person
        else:
            ps.team.add(pin.person)
    return out


def _conflict(inst: Instance, pin: Pin, reason: str) -> dict[str, str]:
    return {
        "need": inst.needs[pin.need].id,
        "person": inst.people[pin.person].id,
        "role": pin.role,
        "reason": reason,
    }


def rule_conflicts(prob: Problem) -> list[dict[str, str]]:
    inst = prob.inst
    pins = list(dict.fromkeys(inst.pins))  # the same pin twice is one pin
    out: list[dict[str, str]] = []
    for pin in pins:
        why = why_not(prob, pin.need, pin.person, pin.role)
        if why is not None:
            out.append(_conflict(inst, pin, why))
    by_need: dict[int, list[Pin]] = {}
    by_person: dict[int, list[Pin]] = {}
    for pin in pins:
        by_need.setdefault(pin.need, []).append(pin)
        by_person.setdefault(pin.person, []).append(pin)
    for n, ps in by_need.items():
        need = inst.needs[n]
        leads = [p for p in ps if p.role == "LEAD"]
        if len(leads) > 1:
            out += [_conflict(inst, p, "two or more LEAD pins on one need") for p in leads]
        team = [p for p in ps if p.role == "TEAM"]
        if len(team) > need.volunteers > 0:
            reason = f"{len(team)} TEAM pins but the need takes {need.volunteers} members"
            out += [_conflict(inst, p, reason) for p in team]
        both = {p.person for p in leads} & {p.person for p in team}
        for p in ps:
            if p.person in both:
                out.append(_conflict(inst, p, "the same person is pinned as LEAD and TEAM"))
    for person_ix, ps in by_person.items():
        person = inst.people[person_ix]
        leads = [p for p in ps if p.role == "LEAD"]
        if len(leads) > max(person.max_lead, 0) and person.max_lead >= 1:
            reason = f"{len(leads)} LEAD pins exceed max_lead {person.max_lead}"
            out += [_conflict(inst, p, reason) for p in leads]
        team = [p for p in ps if p.role == "TEAM"]
        if len(team) > person.max_deeds >= 1:
            reason = f"{len(team)} TEAM pins exceed max_deeds {person.max_deeds}"
            out += [_conflict(inst, p, reason) for p in team]
        hours = sum(inst.needs[p.need].hours for p in team)
        if team and hours > person.hours and len(team) <= person.max_deeds:
            reason = f"TEAM pins need {hours:g} hours, the person has {person.hours:g}"
            out += [_conflict(inst, p, reason) for p in team]
    unique = {tuple(sorted(c.items())): c for c in out}
    return list(unique.values())


def place_pinned(
    prob: Problem, workers: int, seed: int, time_limit: float
) -> tuple[dict[int, Deed] | None, list[dict[str, str]]]:
    """Deeds for the pinned needs alone (all capacities free), or the conflicting pins."""
    if not prob.pins:
        return {}, []
    from .cpmodel import SubModel  # the shared model builder

    inst = prob.inst
    full_prob = Problem(
        prob.inst, prob.tree, prob.arr, prob.full, prob.full, {}, prob.exact_candidates
    )
    left = Assignment(prob.arr)
    model = SubModel(full_prob, sorted(prob.pins), left)
    m = model.m
    assumptions: list[tuple[cp_model.IntVar, Pin]] = []
    for pin in dict.fromkeys(inst.pins):
        a = m.new_bool_var("")
        assumptions.append((a, pin))
        m.add(model.y(pin.need) == 1).only_enforce_if(a)
        xs = model.pair_vars(pin.need, pin.person, pin.role)
        m.add(cp_model.LinearExpr.sum(xs) == 1).only_enforce_if(a)
    m.add_assumptions([a for a, _ in assumptions])
    model.minimize_distance()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # assumption cores come from the single-thread search
    solver.parameters.random_seed = seed
    solver.parameters.catch_sigint_signal = False
    solver.parameters.max_time_in_seconds = max(1.0, time_limit)
    st = solver.solve(m)
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return model.read(solver), []
    core = set(solver.sufficient_assumptions_for_infeasibility())
    culprits = [pin for a, pin in assumptions if a.index in core] or [p for _, p in assumptions]
    reason = (
        "these pins cannot all hold together (capacities, skills or resources run out)"
        if st == cp_model.INFEASIBLE
        else "could not confirm these pins within the time limit"
    )
    return None, [_conflict(inst, p, reason) for p in culprits]
