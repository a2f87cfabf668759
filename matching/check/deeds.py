"""The rules on each entry of a solution: who leads, who joins, what is drawn, why it is unmatched.

``AnswerRules`` walks the deeds and unmatched entries once, recording violations and adding up
in a ``Tally`` what the rules across deeds (capacities, pins, objective) need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .eligibility import RULE_TEXT, distance, eligibility
from .model import Entity, Instance, Need
from .report import CheckReport, Rule


@dataclass
class Tally:
    """What the deeds add up to, for the rules across deeds."""

    times_seen: dict[str, int] = field(default_factory=dict)  # need -> entries naming it
    team_of: dict[str, list[str]] = field(default_factory=dict)  # person -> needs joined
    lead_of: dict[str, list[str]] = field(default_factory=dict)  # person -> needs led
    units: dict[str, int] = field(default_factory=dict)  # resource -> units drawn
    fulfilled: dict[str, tuple[str | None, list[str]]] = field(default_factory=dict)
    priority: int = 0
    distance: int = 0


def as_id(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def as_list(
    deed: dict[str, Any], key: str, report: CheckReport, where: str, need: Need
) -> list[Any]:
    """``deed[key]`` as a list: missing or null is empty, anything else is a format violation."""
    raw = deed.get(key, [])
    if raw is None:
        return []
    if not isinstance(raw, list):
        report.add(Rule.SOLUTION_FORMAT, f"{where}.{key} must be a list", need=need.id)
        return []
    return raw


class AnswerRules:
    """One method per rule on a single deed or unmatched entry."""

    def __init__(self, inst: Instance, report: CheckReport) -> None:
        self.inst = inst
        self.report = report
        self.tally = Tally()

    def note_need(self, raw: Any, where: str) -> Need | None:
        """The need an entry names; unknown ids and needs answered twice are violations."""
        nid = as_id(raw)
        if nid is None or nid not in self.inst.needs:
            self.report.add(Rule.UNKNOWN_ID, f"{where} names an unknown need {raw!r}", path=where)
            return None
        seen = self.tally.times_seen[nid] = self.tally.times_seen.get(nid, 0) + 1
        if seen == 2:
            self.report.add(Rule.NEED_TWICE, "the need appears more than once", need=nid)
        return self.inst.needs[nid]

    def serve(self, entity: Entity, need: Need, what: str, *, is_person: bool, role: str) -> int:
        """Check eligibility; return the distance of one unit (0 when undefined)."""
        for rule in eligibility(self.inst, entity, need, is_person=is_person):
            text = RULE_TEXT[rule].format(
                what=what,
                cell=entity.cell,
                need_cell=need.cell,
                reach=entity.reach,
                category=need.category,
                household=need.household,
            )
            self.report.add(
                rule,
                f"{role}: {text}",
                need=need.id,
                person=entity.id if is_person else None,
                resource=None if is_person else entity.id,
            )
        d = distance(self.inst, entity.cell, need.cell)
        return d if d is not None else 0

    def entry_need(self, where: str, entry: Any) -> Need | None:
        """The need a deed or unmatched entry names, when the entry is an object naming one."""
        if not isinstance(entry, dict):
            self.report.add(Rule.SOLUTION_FORMAT, f"{where} must be an object", path=where)
            return None
        return self.note_need(entry.get("need"), where)

    def deed(self, i: int, deed: Any) -> None:
        where = f"deeds[{i}]"
        need = self.entry_need(where, deed)
        if need is None or self.tally.times_seen[need.id] > 1:
            return
        self.report.deeds += 1
        self.tally.priority += need.priority
        lead_id = self.lead(deed, need)
        team = self.team(as_list(deed, "team", self.report, where, need), need, lead_id)
        self.skills(need, team)
        self.resources(as_list(deed, "resources", self.report, where, need), need, where)
        self.explanation(deed, need)
        self.tally.fulfilled[need.id] = (lead_id, team)

    def lead(self, deed: dict[str, Any], need: Need) -> str | None:
        """A lead exactly when the need takes one: a known party member allowed to lead."""
        lead_raw = deed.get("lead")
        if lead_raw is None:
            if need.lead:
                self.report.add(Rule.LEAD_MISSING, "the need requires a lead", need=need.id)
            return None
        lead_id = as_id(lead_raw)
        if lead_id is None or lead_id not in self.inst.people:
            self.report.add(Rule.UNKNOWN_ID, f"unknown lead {lead_raw!r}", need=need.id)
            return None
        if not need.lead:
            self.report.add(
                Rule.LEAD_UNEXPECTED, "the need takes no lead", need=need.id, person=lead_id
            )
        person = self.inst.people[lead_id]
        self.tally.distance += self.serve(
            person, need, f"lead {lead_id}", is_person=True, role="LEAD"
        )
        if not person.party_member or person.max_lead < 1:
            self.report.add(
                Rule.LEAD_NOT_ALLOWED,
                f"only a party member with max_lead >= 1 may lead (party_member "
                f"{person.party_member}, max_lead {person.max_lead})",
                need=need.id,
                person=lead_id,
            )
        self.tally.lead_of.setdefault(lead_id, []).append(need.id)
        return lead_id

    def team(self, team_raw: list[Any], need: Need, lead_id: str | None) -> list[str]:
        """Exactly ``volunteers`` known, distinct, eligible members besides the lead."""
        team: list[str] = []
        for member_raw in team_raw:
            member = as_id(member_raw)
            if member is None or member not in self.inst.people:
                self.report.add(
                    Rule.UNKNOWN_ID, f"unknown team member {member_raw!r}", need=need.id
                )
                continue
            if member in team:
                self.report.add(
                    Rule.DUPLICATE_MEMBER, "listed twice in the team", need=need.id, person=member
                )
                continue
            team.append(member)
            if member == lead_id:
                self.report.add(
                    Rule.LEAD_IN_TEAM, "the lead is also a team member", need=need.id, person=member
                )
            self.tally.distance += self.serve(
                self.inst.people[member], need, f"member {member}", is_person=True, role="TEAM"
            )
            self.tally.team_of.setdefault(member, []).append(need.id)
        if len(team_raw) != need.volunteers:
            self.report.add(
                Rule.TEAM_SIZE,
                f"the team has {len(team_raw)} member(s); the need asks for exactly "
                f"{need.volunteers}",
                need=need.id,
            )
        return team

    def skills(self, need: Need, team: list[str]) -> None:
        """Every skill the need asks for is held by a team member (the lead does not count)."""
        for skill in need.skills:
            if not any(skill in self.inst.people[m].skills for m in team):
                self.report.add(
                    Rule.SKILL_NOT_COVERED, f"no team member has skill {skill!r}", need=need.id
                )

    def resources(self, uses: list[Any], need: Need, where: str) -> None:
        """Eligible resources of the kinds requested, exactly the units requested per kind."""
        drawn: dict[str, int] = {}
        for j, use in enumerate(uses):
            if not isinstance(use, dict):
                self.report.add(
                    Rule.SOLUTION_FORMAT, f"{where}.resources[{j}] must be an object", need=need.id
                )
                continue
            self.resource_use(use, need, drawn)
        for kind, wanted in need.items.items():
            got = drawn.get(kind, 0)
            if got != wanted:
                self.report.add(
                    Rule.RESOURCE_QUANTITY,
                    f"{got} unit(s) of {kind} drawn; the need requests exactly {wanted}",
                    need=need.id,
                )

    def resource_use(self, use: dict[str, Any], need: Need, drawn: dict[str, int]) -> None:
        """One ``{resource, quantity}`` of a deed; adds its units to ``drawn`` (per kind)."""
        rid = as_id(use.get("resource"))
        qty = use.get("quantity")
        if rid is None or rid not in self.inst.resources:
            self.report.add(
                Rule.UNKNOWN_ID, f"unknown resource {use.get('resource')!r}", need=need.id
            )
            return
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
            self.report.add(
                Rule.RESOURCE_QUANTITY,
                f"quantity must be a positive integer, got {qty!r}",
                need=need.id,
                resource=rid,
            )
            return
        res = self.inst.resources[rid]
        if res.kind not in need.items:
            self.report.add(
                Rule.RESOURCE_KIND, f"the need requests no {res.kind}", need=need.id, resource=rid
            )
        one = self.serve(res, need, f"resource {rid}", is_person=False, role="RESOURCE")
        self.tally.distance += one * qty
        drawn[res.kind] = drawn.get(res.kind, 0) + qty
        self.tally.units[rid] = self.tally.units.get(rid, 0) + qty

    def explanation(self, deed: dict[str, Any], need: Need) -> None:
        expl = deed.get("explanation")
        if not isinstance(expl, list) or not expl or not all(isinstance(x, str) for x in expl):
            self.report.add(
                Rule.EXPLANATION_MISSING,
                "a deed needs a non-empty list of explanation strings",
                need=need.id,
            )

    def unmatched(self, i: int, entry: Any) -> None:
        """An unmatched need comes with a non-empty list of reason codes."""
        need = self.entry_need(f"unmatched[{i}]", entry)
        if need is None:
            return
        self.report.unmatched += 1 if self.tally.times_seen[need.id] == 1 else 0
        reasons = entry.get("reasons")
        if (
            not isinstance(reasons, list)
            or not reasons
            or not all(isinstance(x, str) and x for x in reasons)
        ):
            self.report.add(
                Rule.REASONS_MISSING,
                "an unmatched need needs a non-empty list of reason codes",
                need=need.id,
            )

    def missing(self) -> None:
        """Every need of the instance is answered, as a deed or as unmatched."""
        for nid in self.inst.need_order:
            if nid not in self.tally.times_seen:
                self.report.add(
                    Rule.NEED_MISSING, "the need is neither a deed nor unmatched", need=nid
                )
