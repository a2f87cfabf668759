"""Independent checker for matching solutions (contract version 1).

This module deliberately shares no code with the solver: it re-reads the instance and re-applies the
contract's rules (eligibility, feasibility, pins, objective) straight from
``shared/contract/matching.md`` so that it can catch solver bugs.

    report = check(instance, solution)
    report.ok, report.violations, report.priority, report.distance

Interpretations where the contract leaves room (kept in one place, see ``_reach_root``):

- the reach cell of an entity is the nearest cell at or above the ``reach`` level on the path from
  the entity's cell to its root (its own cell when it already sits at or above that level; the
  root of its tree when no cell on the path is high enough); ``reach: null`` means its whole tree;
- the distance between cells of different trees is undefined, so such an assignment fails ``REACH``;
- skills must be held by team members (the lead does not count), as the contract says.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

LEVELS = ("DISTRICT", "TOWN", "VILLAGE", "BRANCH", "GROUP")
LEVEL_RANK = {name: rank for rank, name in enumerate(LEVELS)}
CATEGORIES = frozenset(
    ["SPACE", "SAFETY", "ENVIRONMENT", "CULTURE_SPORTS", "POLICY", "DAILY_LIFE", "DISPUTE", "OTHER"]
)
KINDS = frozenset(
    ["VENUE", "FACILITY", "EQUIPMENT", "VEHICLE", "FUNDS", "MATERIAL", "SERVICE", "OTHER"]
)
STATUSES = frozenset(["OPTIMAL", "FEASIBLE", "INFEASIBLE_PINS", "INVALID_INSTANCE"])
ROLES = frozenset(["LEAD", "TEAM"])
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _member(value: Any, allowed: frozenset[str]) -> bool:
    """``value in allowed`` for any JSON value (lists and objects are unhashable)."""
    return isinstance(value, str) and value in allowed


@dataclass(frozen=True)
class Violation:
    """One broken rule. ``rule`` is a stable code such as ``REACH`` or ``CAPACITY``."""

    rule: str
    message: str
    need: str | None = None
    person: str | None = None
    resource: str | None = None
    path: str | None = None

    def __str__(self) -> str:
        where = []
        if self.path is not None:
            where.append(self.path)
        for label, value in (
            ("need", self.need),
            ("person", self.person),
            ("resource", self.resource),
        ):
            if value is not None:
                where.append(f"{label} {value}")
        return f"{self.rule}: {self.message}" + (f" [{', '.join(where)}]" if where else "")


@dataclass
class CheckReport:
    """What ``check`` found: the violations and the objective recomputed from the deeds."""

    violations: list[Violation] = field(default_factory=list)
    priority: int = 0
    distance: int = 0
    deeds: int = 0
    unmatched: int = 0
    status: str | None = None
    instance_valid: bool = True

    @property
    def ok(self) -> bool:
        return not self.violations

    def rules(self) -> set[str]:
        return {v.rule for v in self.violations}

    def summary(self) -> str:
        verdict = "valid" if self.ok else f"{len(self.violations)} violation(s)"
        return (
            f"{verdict}; status {self.status}; recomputed priority {self.priority}, "
            f"distance {self.distance}; deeds {self.deeds}, unmatched {self.unmatched}"
        )


# --------------------------------------------------------------------------- instance model
@dataclass
class _Cell:
    id: str
    parent: str | None
    level: str


@dataclass
class _Entity:
    """A person or a resource: the fields eligibility needs, plus the capacities."""

    id: str
    cell: str
    reach: str | None
    categories: frozenset[str]
    available: tuple[dt.date, dt.date] | None
    # people only
    party_member: bool = False
    skills: frozenset[str] = frozenset()
    hours: float = 0
    max_deeds: int = 1
    max_lead: int = 0
    household: str | None = None
    # resources only
    kind: str = ""
    capacity: int = 0


@dataclass
class _Need:
    id: str
    cell: str
    category: str
    priority: int
    lead: bool
    volunteers: int
    hours: float
    skills: tuple[str, ...]
    items: dict[str, int]
    window: tuple[dt.date, dt.date] | None
    household: str | None


@dataclass
class _Instance:
    cells: dict[str, _Cell] = field(default_factory=dict)
    people: dict[str, _Entity] = field(default_factory=dict)
    resources: dict[str, _Entity] = field(default_factory=dict)
    needs: dict[str, _Need] = field(default_factory=dict)
    need_order: list[str] = field(default_factory=list)
    pins: list[tuple[str, str, str]] = field(default_factory=list)
    forbid: set[tuple[str, str]] = field(default_factory=set)
    # derived: for each cell its path to the root, cell first
    paths: dict[str, list[str]] = field(default_factory=dict)


class _Reader:
    """Validates an instance dict field by field, collecting errors instead of raising."""

    def __init__(self) -> None:
        self.errors: list[Violation] = []

    def err(self, path: str, message: str, entry: str | None = None) -> None:
        text = f"{message} (entry {entry!r})" if entry is not None else message
        self.errors.append(Violation("INVALID_INSTANCE", text, path=path))

    # typed getters: return None (and record an error) when the value is unusable
    def string(
        self,
        obj: dict[str, Any],
        key: str,
        path: str,
        entry: str | None,
        *,
        required: bool = False,
        empty_ok: bool = False,
    ) -> str | None:
        if key not in obj or obj[key] is None:
            if required:
                self.err(f"{path}.{key}", "is required", entry)
            return None
        value = obj[key]
        if not isinstance(value, str) or not (value or empty_ok):
            self.err(f"{path}.{key}", f"must be a non-empty string, got {value!r}", entry)
            return None
        return value

    def integer(
        self,
        obj: dict[str, Any],
        key: str,
        path: str,
        entry: str | None,
        default: int,
        *,
        minimum: int = 0,
        required: bool = False,
    ) -> int:
        if key not in obj or (obj[key] is None and not required):
            if required:
                self.err(f"{path}.{key}", "is required", entry)
            return default
        value = obj[key]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.err(f"{path}.{key}", f"must be an integer, got {value!r}", entry)
            return default
        if value < minimum:
            self.err(f"{path}.{key}", f"must be at least {minimum}, got {value}", entry)
            return default
        return value

    def number(self, obj: dict[str, Any], key: str, path: str, entry: str | None) -> float:
        value = obj.get(key, 0)
        if value is None:
            return 0
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            self.err(f"{path}.{key}", f"must be a number, got {value!r}", entry)
            return 0
        if value < 0:
            self.err(f"{path}.{key}", f"must not be negative, got {value}", entry)
            return 0
        return value

    def boolean(
        self, obj: dict[str, Any], key: str, path: str, entry: str | None, default: bool
    ) -> bool:
        value = obj.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.err(f"{path}.{key}", f"must be true or false, got {value!r}", entry)
            return default
        return value

    def strings(
        self,
        obj: dict[str, Any],
        key: str,
        path: str,
        entry: str | None,
        allowed: frozenset[str] | None = None,
        *,
        empty_ok: bool = False,
    ) -> list[str]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.err(f"{path}.{key}", f"must be a list, got {value!r}", entry)
            return []
        out: list[str] = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not (item or empty_ok):
                self.err(f"{path}.{key}[{i}]", f"must be a non-empty string, got {item!r}", entry)
            elif allowed is not None and item not in allowed:
                self.err(f"{path}.{key}[{i}]", f"unknown value {item!r}", entry)
            else:
                out.append(item)
        return out

    def interval(
        self, obj: dict[str, Any], key: str, path: str, entry: str | None
    ) -> tuple[dt.date, dt.date] | None:
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or len(value) != 2:
            self.err(f"{path}.{key}", f"must be [from, to] or null, got {value!r}", entry)
            return None
        dates: list[dt.date] = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not _DATE_RE.match(item):
                self.err(
                    f"{path}.{key}[{i}]", f"must be an ISO date YYYY-MM-DD, got {item!r}", entry
                )
                return None
            try:
                dates.append(dt.date.fromisoformat(item))
            except ValueError:
                self.err(f"{path}.{key}[{i}]", f"is not a valid date: {item!r}", entry)
                return None
        if dates[0] > dates[1]:
            self.err(f"{path}.{key}", f"is reversed: {value[0]} is after {value[1]}", entry)
            return None
        return dates[0], dates[1]

    def level(
        self, obj: dict[str, Any], key: str, path: str, entry: str | None, *, required: bool
    ) -> str | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.err(f"{path}.{key}", "is required", entry)
            return None
        if not isinstance(value, str) or value not in LEVEL_RANK:
            self.err(f"{path}.{key}", f"unknown level {value!r}", entry)
            return None
        return value

    def records(self, data: dict[str, Any], key: str) -> Iterable[tuple[str, dict[str, Any]]]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.err(key, f"must be a list, got {type(value).__name__}")
            return []
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.err(f"{key}[{i}]", f"must be an object, got {item!r}")
            else:
                out.append((f"{key}[{i}]", item))
        return out

    def ident(self, obj: dict[str, Any], path: str, seen: set[str]) -> str | None:
        ident = self.string(obj, "id", path, None, required=True)
        if ident is not None:
            if ident in seen:
                self.err(f"{path}.id", "duplicate id", ident)
                return None
            seen.add(ident)
        return ident


def _read_instance(data: Any) -> tuple[_Instance | None, list[Violation]]:
    r = _Reader()
    if not isinstance(data, dict):
        r.err("$", f"the instance must be a JSON object, got {type(data).__name__}")
        return None, r.errors
    version = data.get("version", 1)
    if isinstance(version, bool) or version != 1:
        r.err("version", f"unsupported version {version!r}; expected 1")
    inst = _Instance()

    # cells
    raw_parent: dict[str, tuple[str, Any]] = {}
    seen: set[str] = set()
    for path, obj in r.records(data, "cells"):
        cid = r.ident(obj, path, seen)
        level = r.level(obj, "level", path, cid, required=True)
        if cid is None:
            continue
        parent = obj.get("parent")
        if parent is not None and (not isinstance(parent, str) or not parent):
            r.err(f"{path}.parent", f"must be a cell id or null, got {parent!r}", cid)
            parent = None
        raw_parent[cid] = (path, parent)
        if level is not None:
            inst.cells[cid] = _Cell(cid, parent, level)
        else:
            inst.cells[cid] = _Cell(cid, parent, "")
    for cid, (path, parent) in raw_parent.items():
        if parent is None:
            continue
        if parent not in inst.cells:
            r.err(f"{path}.parent", f"unknown cell {parent!r}", cid)
            inst.cells[cid].parent = None
            continue
        mine, theirs = inst.cells[cid].level, inst.cells[parent].level
        if mine and theirs and LEVEL_RANK[mine] <= LEVEL_RANK[theirs]:
            r.err(f"{path}.level", f"{mine} is not below its parent's level {theirs}", cid)
    cell_path = {cid: p for cid, (p, _) in raw_parent.items()}
    for cid in inst.cells:
        chain = [cid]
        seen = {cid}
        cur = inst.cells[cid].parent
        while cur is not None:
            if cur in seen:
                r.err(f"{cell_path[cid]}.parent", "parent chain forms a cycle", cid)
                chain = [cid]
                inst.cells[cid].parent = None
                break
            seen.add(cur)
            chain.append(cur)
            cur = inst.cells[cur].parent
        inst.paths[cid] = chain

    def cell_ref(obj: dict[str, Any], path: str, entry: str | None) -> str | None:
        cell = r.string(obj, "cell", path, entry, required=True)
        if cell is not None and cell not in inst.cells:
            r.err(f"{path}.cell", f"unknown cell {cell!r}", entry)
            return None
        return cell

    # people
    seen = set()
    for path, obj in r.records(data, "people"):
        pid = r.ident(obj, path, seen)
        cell = cell_ref(obj, path, pid)
        person = _Entity(
            id=pid or "",
            cell=cell or "",
            reach=r.level(obj, "reach", path, pid, required=False),
            categories=frozenset(r.strings(obj, "categories", path, pid, CATEGORIES)),
            available=r.interval(obj, "available", path, pid),
            party_member=r.boolean(obj, "party_member", path, pid, False),
            skills=frozenset(r.strings(obj, "skills", path, pid, empty_ok=True)),
            hours=r.number(obj, "hours", path, pid),
            max_deeds=r.integer(obj, "max_deeds", path, pid, 1),
            max_lead=r.integer(obj, "max_lead", path, pid, 0),
            household=r.string(obj, "household", path, pid, empty_ok=True),
        )
        if pid is not None and cell is not None:
            inst.people[pid] = person

    # resources
    seen = set()
    for path, obj in r.records(data, "resources"):
        rid = r.ident(obj, path, seen)
        cell = cell_ref(obj, path, rid)
        kind = obj.get("kind")
        if not _member(kind, KINDS):
            r.err(f"{path}.kind", f"unknown kind {kind!r}", rid)
        res = _Entity(
            id=rid or "",
            cell=cell or "",
            reach=r.level(obj, "reach", path, rid, required=False),
            categories=frozenset(r.strings(obj, "categories", path, rid, CATEGORIES)),
            available=r.interval(obj, "available", path, rid),
            kind=kind if isinstance(kind, str) else "",
            # No default in the contract; like the solver, read a missing capacity as 0.
            capacity=r.integer(obj, "capacity", path, rid, 0),
        )
        if rid is not None and cell is not None:
            inst.resources[rid] = res

    # needs
    seen = set()
    for path, obj in r.records(data, "needs"):
        nid = r.ident(obj, path, seen)
        cell = cell_ref(obj, path, nid)
        category = obj.get("category")
        if not _member(category, CATEGORIES):
            r.err(f"{path}.category", f"unknown category {category!r}", nid)
        items: dict[str, int] = {}
        raw_items = obj.get("resources")
        if raw_items is not None and not isinstance(raw_items, list):
            r.err(f"{path}.resources", f"must be a list, got {raw_items!r}", nid)
            raw_items = []
        for i, item in enumerate(raw_items or []):
            ipath = f"{path}.resources[{i}]"
            if not isinstance(item, dict):
                r.err(ipath, f"must be an object, got {item!r}", nid)
                continue
            kind = item.get("kind")
            if not isinstance(kind, str) or kind not in KINDS:
                r.err(f"{ipath}.kind", f"unknown kind {kind!r}", nid)
                continue
            # The contract gives no default for quantity; like the solver, read a missing one as 1.
            qty = r.integer(item, "quantity", ipath, nid, 1)
            items[kind] = items.get(kind, 0) + qty
        need = _Need(
            id=nid or "",
            cell=cell or "",
            category=category if isinstance(category, str) else "",
            priority=r.integer(obj, "priority", path, nid, 1, minimum=1, required=True),
            lead=r.boolean(obj, "lead", path, nid, True),
            volunteers=r.integer(obj, "volunteers", path, nid, 0),
            hours=r.number(obj, "hours", path, nid),
            skills=tuple(dict.fromkeys(r.strings(obj, "skills", path, nid, empty_ok=True))),
            items=items,
            window=r.interval(obj, "window", path, nid),
            household=r.string(obj, "household", path, nid, empty_ok=True),
        )
        if nid is not None and cell is not None:
            inst.needs[nid] = need
            inst.need_order.append(nid)

    # pins and forbids
    for path, obj in r.records(data, "pins"):
        need_id = r.string(obj, "need", path, None, required=True)
        person_id = r.string(obj, "person", path, None, required=True)
        role = obj.get("role")
        entry = f"{need_id}/{person_id}"
        if need_id is not None and need_id not in inst.needs:
            r.err(f"{path}.need", f"unknown need {need_id!r}", entry)
        if person_id is not None and person_id not in inst.people:
            r.err(f"{path}.person", f"unknown person {person_id!r}", entry)
        if not _member(role, ROLES):
            r.err(f"{path}.role", f"role must be LEAD or TEAM, got {role!r}", entry)
        if need_id and person_id and isinstance(role, str):
            inst.pins.append((need_id, person_id, role))
    for path, obj in r.records(data, "forbid"):
        need_id = r.string(obj, "need", path, None, required=True)
        person_id = r.string(obj, "person", path, None, required=True)
        entry = f"{need_id}/{person_id}"
        if need_id is not None and need_id not in inst.needs:
            r.err(f"{path}.need", f"unknown need {need_id!r}", entry)
        if person_id is not None and person_id not in inst.people:
            r.err(f"{path}.person", f"unknown person {person_id!r}", entry)
        if need_id and person_id:
            inst.forbid.add((need_id, person_id))

    if r.errors:
        return None, r.errors
    return inst, []


# --------------------------------------------------------------------------- rules
def _reach_root(inst: _Instance, entity: _Entity) -> str:
    path = inst.paths[entity.cell]
    if entity.reach is None:
        return path[-1]
    limit = LEVEL_RANK[entity.reach]
    for cid in path:
        if LEVEL_RANK[inst.cells[cid].level] <= limit:
            return cid
    return path[-1]


def distance(inst: _Instance, a: str, b: str) -> int | None:
    """Tree edges between two cells; None when they lie in different trees."""
    pa, pb = inst.paths[a], inst.paths[b]
    ia = {cid: i for i, cid in enumerate(pa)}
    for j, cid in enumerate(pb):
        if cid in ia:
            return ia[cid] + j
    return None


def _overlap(a: tuple[dt.date, dt.date] | None, b: tuple[dt.date, dt.date] | None) -> bool:
    if a is None or b is None:
        return True
    return a[0] <= b[1] and b[0] <= a[1]


def _eligibility(inst: _Instance, entity: _Entity, need: _Need, *, is_person: bool) -> list[str]:
    """The eligibility rules the entity breaks for the need: (rule code, message) texts."""
    broken: list[str] = []
    if _reach_root(inst, entity) not in inst.paths[need.cell]:
        broken.append("REACH")
    if entity.categories and need.category not in entity.categories:
        broken.append("CATEGORY")
    if not _overlap(entity.available, need.window):
        broken.append("TIME")
    if is_person:
        if need.household is not None and entity.household == need.household:
            broken.append("CONFLICT_OF_INTEREST")
        if (need.id, entity.id) in inst.forbid:
            broken.append("FORBID")
    return broken


_RULE_TEXT = {
    "REACH": "the need's cell {need_cell} is outside the reach of {what} in {cell} (reach {reach})",
    "CATEGORY": "{what} does not serve category {category}",
    "TIME": "{what} is not available in the need's window",
    "CONFLICT_OF_INTEREST": "{what} belongs to the need's household {household}",
    "FORBID": "the pair is forbidden",
}


def _as_id(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def check(instance: Any, solution: Any) -> CheckReport:
    """Check ``solution`` against ``instance`` by the contract's rules; never raises."""
    report = CheckReport()
    out = report.violations
    inst, errors = _read_instance(instance)
    if inst is None:
        report.instance_valid = False
        out.extend(errors)
        return report
    if not isinstance(solution, dict):
        out.append(Violation("SOLUTION_FORMAT", "the solution must be a JSON object"))
        return report
    if isinstance(solution.get("version"), bool) or solution.get("version") != 1:
        out.append(
            Violation("SOLUTION_FORMAT", f"version must be 1, got {solution.get('version')!r}")
        )
    status = solution.get("status")
    report.status = status if isinstance(status, str) else None
    if not _member(status, STATUSES):
        out.append(Violation("STATUS", f"unknown status {status!r}"))
        return report
    if status == "INVALID_INSTANCE":
        out.append(Violation("STATUS", "the instance is valid, but the solver called it invalid"))
        return report
    if status == "INFEASIBLE_PINS":
        if not inst.pins:
            out.append(Violation("STATUS", "INFEASIBLE_PINS, but the instance has no pins"))
        conflicts = solution.get("conflicts")
        if not isinstance(conflicts, list) or not conflicts:
            out.append(Violation("STATUS", "INFEASIBLE_PINS must name the pins in conflict"))
            return report
        pinned = {(n, p) for n, p, _ in inst.pins}
        for i, conflict in enumerate(conflicts):
            # A conflict that names a need and a person must be one of the instance's pins.
            if isinstance(conflict, dict) and "need" in conflict and "person" in conflict:
                pair = (str(conflict["need"]), str(conflict["person"]))
                if pair not in pinned:
                    out.append(
                        Violation(
                            "STATUS",
                            f"conflicts[{i}] names no pin of the instance: {pair}",
                            path=f"conflicts[{i}]",
                        )
                    )
        return report
    _check_assignment(inst, solution, report)
    return report


def _check_assignment(inst: _Instance, solution: dict[str, Any], report: CheckReport) -> None:
    out = report.violations
    deeds = solution.get("deeds")
    unmatched = solution.get("unmatched")
    if not isinstance(deeds, list):
        out.append(Violation("SOLUTION_FORMAT", "deeds must be a list"))
        deeds = []
    if not isinstance(unmatched, list):
        out.append(Violation("SOLUTION_FORMAT", "unmatched must be a list"))
        unmatched = []

    seen_needs: dict[str, int] = {}
    team_of: dict[str, list[str]] = {}  # person -> needs they join as team member
    lead_of: dict[str, list[str]] = {}  # person -> needs they lead
    units: dict[str, int] = {}  # resource -> units drawn
    fulfilled: dict[str, tuple[str | None, list[str]]] = {}
    priority = 0
    dist = 0

    def note_need(raw: Any, where: str) -> _Need | None:
        nid = _as_id(raw)
        if nid is None or nid not in inst.needs:
            out.append(
                Violation("UNKNOWN_ID", f"{where} names an unknown need {raw!r}", path=where)
            )
            return None
        seen_needs[nid] = seen_needs.get(nid, 0) + 1
        if seen_needs[nid] == 2:
            out.append(Violation("NEED_TWICE", "the need appears more than once", need=nid))
        return inst.needs[nid]

    def serve(entity: _Entity, need: _Need, what: str, *, is_person: bool, role: str) -> int:
        """Check eligibility; return the distance of one unit (0 when undefined)."""
        for rule in _eligibility(inst, entity, need, is_person=is_person):
            text = _RULE_TEXT[rule].format(
                what=what,
                cell=entity.cell,
                need_cell=need.cell,
                reach=entity.reach,
                category=need.category,
                household=need.household,
            )
            out.append(
                Violation(
                    rule,
                    f"{role}: {text}",
                    need=need.id,
                    person=entity.id if is_person else None,
                    resource=None if is_person else entity.id,
                )
            )
        d = distance(inst, entity.cell, need.cell)
        return d if d is not None else 0

    for i, deed in enumerate(deeds):
        where = f"deeds[{i}]"
        if not isinstance(deed, dict):
            out.append(Violation("SOLUTION_FORMAT", f"{where} must be an object", path=where))
            continue
        need = note_need(deed.get("need"), where)
        if need is None or seen_needs[need.id] > 1:
            continue
        report.deeds += 1
        priority += need.priority

        # lead
        lead_raw = deed.get("lead")
        lead_id: str | None = None
        if lead_raw is not None:
            lead_id = _as_id(lead_raw)
            if lead_id is None or lead_id not in inst.people:
                out.append(Violation("UNKNOWN_ID", f"unknown lead {lead_raw!r}", need=need.id))
                lead_id = None
            elif not need.lead:
                out.append(
                    Violation(
                        "LEAD_UNEXPECTED", "the need takes no lead", need=need.id, person=lead_id
                    )
                )
        elif need.lead:
            out.append(Violation("LEAD_MISSING", "the need requires a lead", need=need.id))
        if lead_id is not None:
            person = inst.people[lead_id]
            dist += serve(person, need, f"lead {lead_id}", is_person=True, role="LEAD")
            if not person.party_member or person.max_lead < 1:
                out.append(
                    Violation(
                        "LEAD_NOT_ALLOWED",
                        f"only a party member with max_lead >= 1 may lead (party_member "
                        f"{person.party_member}, max_lead {person.max_lead})",
                        need=need.id,
                        person=lead_id,
                    )
                )
            lead_of.setdefault(lead_id, []).append(need.id)

        # team
        team_raw = deed.get("team", [])
        if team_raw is None:
            team_raw = []
        if not isinstance(team_raw, list):
            out.append(Violation("SOLUTION_FORMAT", f"{where}.team must be a list", need=need.id))
            team_raw = []
        team: list[str] = []
        for member_raw in team_raw:
            member = _as_id(member_raw)
            if member is None or member not in inst.people:
                out.append(
                    Violation("UNKNOWN_ID", f"unknown team member {member_raw!r}", need=need.id)
                )
                continue
            if member in team:
                out.append(
                    Violation(
                        "DUPLICATE_MEMBER", "listed twice in the team", need=need.id, person=member
                    )
                )
                continue
            team.append(member)
            if member == lead_id:
                out.append(
                    Violation(
                        "LEAD_IN_TEAM",
                        "the lead is also a team member",
                        need=need.id,
                        person=member,
                    )
                )
            dist += serve(
                inst.people[member], need, f"member {member}", is_person=True, role="TEAM"
            )
            team_of.setdefault(member, []).append(need.id)
        if len(team_raw) != need.volunteers:
            out.append(
                Violation(
                    "TEAM_SIZE",
                    f"the team has {len(team_raw)} member(s); the need asks for exactly "
                    f"{need.volunteers}",
                    need=need.id,
                )
            )
        for skill in need.skills:
            if not any(skill in inst.people[m].skills for m in team):
                out.append(
                    Violation(
                        "SKILL_NOT_COVERED", f"no team member has skill {skill!r}", need=need.id
                    )
                )

        # resources
        res_raw = deed.get("resources", [])
        if res_raw is None:
            res_raw = []
        if not isinstance(res_raw, list):
            out.append(
                Violation("SOLUTION_FORMAT", f"{where}.resources must be a list", need=need.id)
            )
            res_raw = []
        drawn: dict[str, int] = {}
        for j, use in enumerate(res_raw):
            if not isinstance(use, dict):
                out.append(
                    Violation(
                        "SOLUTION_FORMAT", f"{where}.resources[{j}] must be an object", need=need.id
                    )
                )
                continue
            rid = _as_id(use.get("resource"))
            qty = use.get("quantity")
            if rid is None or rid not in inst.resources:
                out.append(
                    Violation(
                        "UNKNOWN_ID", f"unknown resource {use.get('resource')!r}", need=need.id
                    )
                )
                continue
            if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
                out.append(
                    Violation(
                        "RESOURCE_QUANTITY",
                        f"quantity must be a positive integer, got {qty!r}",
                        need=need.id,
                        resource=rid,
                    )
                )
                continue
            res = inst.resources[rid]
            if res.kind not in need.items:
                out.append(
                    Violation(
                        "RESOURCE_KIND",
                        f"the need requests no {res.kind}",
                        need=need.id,
                        resource=rid,
                    )
                )
            one = serve(res, need, f"resource {rid}", is_person=False, role="RESOURCE")
            dist += one * qty
            drawn[res.kind] = drawn.get(res.kind, 0) + qty
            units[rid] = units.get(rid, 0) + qty
        for kind, wanted in need.items.items():
            got = drawn.get(kind, 0)
            if got != wanted:
                out.append(
                    Violation(
                        "RESOURCE_QUANTITY",
                        f"{got} unit(s) of {kind} drawn; the need requests exactly {wanted}",
                        need=need.id,
                    )
                )

        expl = deed.get("explanation")
        if not isinstance(expl, list) or not expl or not all(isinstance(x, str) for x in expl):
            out.append(
                Violation(
                    "EXPLANATION_MISSING",
                    "a deed needs a non-empty list of explanation strings",
                    need=need.id,
                )
            )
        fulfilled[need.id] = (lead_id, team)

    for i, entry in enumerate(unmatched):
        where = f"unmatched[{i}]"
        if not isinstance(entry, dict):
            out.append(Violation("SOLUTION_FORMAT", f"{where} must be an object", path=where))
            continue
        need = note_need(entry.get("need"), where)
        if need is None:
            continue
        report.unmatched += 1 if seen_needs[need.id] == 1 else 0
        reasons = entry.get("reasons")
        if (
            not isinstance(reasons, list)
            or not reasons
            or not all(isinstance(x, str) and x for x in reasons)
        ):
            out.append(
                Violation(
                    "REASONS_MISSING",
                    "an unmatched need needs a non-empty list of reason codes",
                    need=need.id,
                )
            )

    for nid in inst.need_order:
        if nid not in seen_needs:
            out.append(
                Violation("NEED_MISSING", "the need is neither a deed nor unmatched", need=nid)
            )

    # capacities across deeds
    for pid, needs in team_of.items():
        person = inst.people[pid]
        if len(needs) > person.max_deeds:
            out.append(
                Violation(
                    "MAX_DEEDS",
                    f"member of {len(needs)} deeds; max_deeds is {person.max_deeds}",
                    person=pid,
                )
            )
        hours = sum(inst.needs[n].hours for n in needs)
        if hours > person.hours + 1e-9:
            out.append(
                Violation(
                    "HOURS",
                    f"{hours:g} hours as a team member; the person gives {person.hours:g}",
                    person=pid,
                )
            )
    for pid, needs in lead_of.items():
        person = inst.people[pid]
        if len(needs) > person.max_lead:
            out.append(
                Violation(
                    "MAX_LEAD",
                    f"leads {len(needs)} deeds; max_lead is {person.max_lead}",
                    person=pid,
                )
            )
    for rid, used in units.items():
        cap = inst.resources[rid].capacity
        if used > cap:
            out.append(
                Violation("CAPACITY", f"{used} unit(s) drawn; capacity is {cap}", resource=rid)
            )

    # pins
    for need_id, person_id, role in inst.pins:
        deed = fulfilled.get(need_id)
        if deed is None:
            out.append(
                Violation(
                    "PIN",
                    f"pinned need is not fulfilled (pin {role} {person_id})",
                    need=need_id,
                    person=person_id,
                )
            )
        elif role == "LEAD" and deed[0] != person_id:
            out.append(
                Violation(
                    "PIN",
                    f"pinned lead is not the lead (lead is {deed[0]})",
                    need=need_id,
                    person=person_id,
                )
            )
        elif role == "TEAM" and person_id not in deed[1]:
            out.append(
                Violation(
                    "PIN", "pinned team member is not in the team", need=need_id, person=person_id
                )
            )

    report.priority = priority
    report.distance = dist

    # reported objective and bound
    objective = solution.get("objective")
    if not isinstance(objective, dict):
        out.append(Violation("OBJECTIVE_MISMATCH", "the solution reports no objective"))
    else:
        for key, value in (("priority", priority), ("distance", dist)):
            reported = objective.get(key)
            if (
                isinstance(reported, bool)
                or not isinstance(reported, (int, float))
                or (reported != value)
            ):
                out.append(
                    Violation(
                        "OBJECTIVE_MISMATCH", f"reported {key} {reported!r}, recomputed {value}"
                    )
                )
    bound = solution.get("bound")
    bound_p = bound.get("priority") if isinstance(bound, dict) else None
    if isinstance(bound_p, bool) or not isinstance(bound_p, (int, float)):
        out.append(Violation("BOUND", f"the solution reports no priority bound ({bound!r})"))
    elif bound_p < priority:
        out.append(
            Violation("BOUND", f"bound {bound_p} is below the recomputed priority {priority}")
        )
    elif solution.get("status") == "OPTIMAL" and bound_p != priority:
        out.append(
            Violation("BOUND", f"OPTIMAL, but bound {bound_p} differs from the priority {priority}")
        )
    total = sum(n.priority for n in inst.needs.values())
    if isinstance(bound_p, (int, float)) and not isinstance(bound_p, bool) and bound_p > total:
        out.append(Violation("BOUND", f"bound {bound_p} exceeds the sum of all priorities {total}"))
