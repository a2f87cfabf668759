"""Words for people: why a need stayed unmatched, why a deed has these members, why a pin fails.

Reasons are computed against the *full* candidate lists and full capacities, so `OUTPRIORITISED`
is only said of a need that could have been fulfilled on its own.
"""

from __future__ import annotations

from .assignment import Assignment, Deed
from .greedy import Slices, try_need
from .instance import CATEGORIES, KINDS, LEVELS, Instance
from .problem import Problem


def _in_reach(prob: Problem, ent_cell: int, reach: int, need_cell: int) -> bool:
    t = prob.tree
    rc = int(t.reach_of[5 if reach < 0 else reach, ent_cell])
    return bool(t.tin[rc] <= t.tin[need_cell] <= t.tout[rc])


def why_not(prob: Problem, n: int, p: int, role: str) -> str | None:
    """The first rule that stops person p from serving need n in `role`, or None if none does."""
    inst = prob.inst
    need, person = inst.needs[n], inst.people[p]
    if role == "LEAD" and not need.lead:
        return "the need takes no lead"
    if role == "TEAM" and need.volunteers == 0:
        return "the need takes no team members"
    if not _in_reach(prob, person.cell, person.reach, need.cell):
        return "the need's cell is outside the person's reach"
    if not (person.categories >> need.category) & 1:
        return f"the person does not serve category {CATEGORIES[need.category]}"
    a, w = person.available, need.window
    if a[1] < w[0] or w[1] < a[0]:
        return "the person's availability does not overlap the need's window"
    if need.household is not None and person.household == need.household:
        return "conflict of interest: same household as the need"
    if (n, p) in inst.forbid:
        return "the pair is forbidden"
    if role == "LEAD" and not person.party_member:
        return "only party members may lead"
    if role == "LEAD" and person.max_lead < 1:
        return "the person may not lead (max_lead is 0)"
    if role == "TEAM" and person.max_deeds < 1:
        return "the person may not join deeds (max_deeds is 0)"
    if role == "TEAM" and person.hours < need.hours:
        return f"the person has {person.hours:g} hours, the need takes {need.hours:g}"
    return None


def reasons(
    prob: Problem, n: int, fresh: Assignment, model: Slices, full: Slices | None = None
) -> list[str]:
    """Actionable codes for an unmatched need (`fresh`: an assignment with every capacity free;
    `model`/`full`: the model's and, if different, all candidate lists)."""
    arr, c = prob.arr, prob.full
    need = prob.inst.needs[n]
    out: list[str] = []
    if need.lead and c.lead.ptr[n + 1] == c.lead.ptr[n]:
        out.append("NO_ELIGIBLE_LEAD")
    vol = need.volunteers
    team = c.team.ent[c.team.of(n)].tolist()
    if vol:
        if int(c.team_rule_count[n]) < vol:
            out.append("NOT_ENOUGH_VOLUNTEERS")
        elif len(team) < vol:
            out.append("HOURS_SHORT")
    for s in need.skills:
        sid = arr.skill_ids[s]
        if not any(sid in arr.p_skills[p] for p in team):
            out.append(f"SKILL_NOT_COVERED: {s}")
    if arr.n_items[n]:
        res = c.res.ent[c.res.of(n)]
        for k, q in arr.n_items[n]:
            if int(arr.r_cap[res[arr.r_kind[res] == k]].sum()) < q:
                out.append(f"RESOURCE_SHORT: {KINDS[k]}")
    if out:
        return out
    # Could it be fulfilled alone? Try the (smaller) model lists first, then every candidate.
    for sl in (model, full):
        if sl is not None and try_need(prob, sl, fresh, n) is not None:
            return ["OUTPRIORITISED"]
    # Each rule holds alone but no single team satisfies them together (e.g. the only holders of
    # two skills are one person, or the only lead is also the only member with a skill).
    return ["TEAM_NOT_FORMABLE"]


def _dist_words(d: int) -> str:
    return "same cell" if d == 0 else f"distance {d}"


def explain(prob: Problem, n: int, deed: Deed) -> list[str]:
    inst: Instance = prob.inst
    need = inst.needs[n]
    tree_cell = inst.cells[need.cell]
    lines = [
        f"Need {need.id} (priority {need.priority}, {CATEGORIES[need.category]}) in "
        f"{tree_cell.id}: all eligibility rules hold for every assignee "
        "(reach, category, dates, no shared household, not forbidden).",
    ]
    dist_of = _distances(prob, n, deed)
    if deed.lead >= 0:
        lp = inst.people[deed.lead]
        reach = "whole tree" if lp.reach < 0 else LEVELS[lp.reach]
        pinned = prob.pins.get(n)
        pin_note = " (pinned)" if pinned is not None and pinned.lead == deed.lead else ""
        lines.append(
            f"Lead {lp.id}{pin_note}: party member from {inst.cells[lp.cell].id} "
            f"(reach {reach}), {_dist_words(dist_of[('P', deed.lead)])}."
        )
    if deed.team:
        covers: dict[int, list[str]] = {p: [] for p in deed.team}
        for s in need.skills:
            for p in deed.team:
                if s in inst.people[p].skills:
                    covers[p].append(s)
                    break
        parts = []
        for p in deed.team:
            person = inst.people[p]
            skill = f", covers {', '.join(covers[p])}" if covers[p] else ""
            parts.append(
                f"{person.id} from {inst.cells[person.cell].id} "
                f"({_dist_words(dist_of[('P', p)])}{skill})"
            )
        lines.append(
            f"Team of {len(deed.team)} ({need.hours:g} h each, within their hours and deed "
            f"limits): " + "; ".join(parts) + "."
        )
    if deed.res:
        parts = []
        for r, q in deed.res:
            res = inst.resources[r]
            parts.append(
                f"{q} x {res.id} ({KINDS[res.kind]}, {inst.cells[res.cell].id}, "
                f"{_dist_words(dist_of[('R', r)])})"
            )
        lines.append("Resources: " + "; ".join(parts) + ".")
    lines.append(f"Total distance {deed.distance}; nearer eligible candidates were preferred.")
    return lines


def _distances(prob: Problem, n: int, deed: Deed) -> dict[tuple[str, int], int]:
    """Tree distance from the need's cell to each assignee's cell."""
    arr = prob.arr
    keys = [("P", p) for p in ([deed.lead] if deed.lead >= 0 else []) + list(deed.team)]
    keys += [("R", r) for r, _ in deed.res]
    to = int(arr.n_cell[n])
    return {
        (tag, e): prob.tree.distance1(int(arr.p_cell[e]) if tag == "P" else int(arr.r_cell[e]), to)
        for tag, e in keys
    }
