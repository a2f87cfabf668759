"""Organisations, group members (with the leaders of every cell), households and contact visits."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate

from sandan.demo import catalog, names
from sandan.demo.data import DemoData, Row
from sandan.demo.grid import CST, GRID_CREATED, Grid, Node
from sandan.demo.scales import Scale, allocate

SEASON_START = date(2026, 5, 1)
SEASON_END = date(2026, 8, 31)

# 63% of group members are party members (the seeds' figure), about a fifth of all members being
# in-service members reporting from agencies and units; the rest volunteers, deputies and
# mass-organisation heads.
_KINDS = ("PARTY_MEMBER", "IN_SERVICE_MEMBER", "VOLUNTEER", "DEPUTY", "MASS_ORG_HEAD")
_KIND_CUM = list(accumulate((44, 19, 23, 8, 6)))
_PARTY_KINDS = frozenset(("PARTY_MEMBER", "IN_SERVICE_MEMBER"))
_SKILL_NAMES = tuple(catalog.SKILLS)
_CATEGORY_ORDER = tuple(catalog.CATEGORY_NAMES)  # the enum's order, so categories sort stably


def stamp(day: date, hour: int = 9) -> datetime:
    """`hour` o'clock local time (UTC+8) on `day`, as a UTC timestamp."""
    return datetime.combine(day, time(hour), tzinfo=CST).astimezone(UTC)


def season_window(rng: random.Random, always_share: float) -> tuple[date | None, date | None]:
    """An availability interval inside May–August 2026, or (None, None) = always."""
    if rng.random() < always_share:
        return None, None
    start = SEASON_START + timedelta(days=rng.randint(0, 45))
    end = min(start + timedelta(days=rng.randint(30, 100)), SEASON_END)
    return start, end


@dataclass(slots=True)
class Population:
    """Indexes the later steps need: who lives and serves where, and which organisations exist."""

    people_by_group: dict[int, list[Row]] = field(default_factory=dict)
    people_by_village: dict[int, list[Row]] = field(default_factory=dict)
    households_by_group: dict[int, list[Row]] = field(default_factory=dict)
    orgs_by_cell: dict[int, list[Row]] = field(default_factory=dict)
    # The cell each person sits in, for reach and distance checks.
    cell_of: dict[int, Node] = field(default_factory=dict)


def build_population(rng: random.Random, scale: Scale, grid: Grid, data: DemoData) -> Population:
    pop = Population()
    _organisations(rng, scale, grid, data, pop)
    agencies = [
        o
        for o in data.organisations
        if o["kind"] in ("AGENCY", "UNIT") and o["cell_id"] in (grid.district.id, *_ids(grid.towns))
    ]
    for town in grid.towns:
        _leader(rng, data, pop, town)
    members = _member_counts(rng, scale, grid)
    for village in grid.villages:
        pop.people_by_village[village.id] = [_leader(rng, data, pop, village)]
    for group, count in zip(grid.groups, members, strict=True):
        _group_members(rng, data, pop, group, count, agencies)
    for group in grid.groups:
        _households(rng, scale, data, pop, group)
    _visits(rng, scale, data, pop)
    return pop


def _ids(nodes: list[Node]) -> list[int]:
    return [n.id for n in nodes]


def _member_counts(rng: random.Random, scale: Scale, grid: Grid) -> list[int]:
    return allocate(rng, len(grid.groups), scale.members_per_group, scale.members_total)


def _org(
    data: DemoData, pop: Population, rng: random.Random, cell: Node, name: str, kind: str
) -> None:
    row: Row = {
        "id": len(data.organisations) + 1,
        "name": name,
        "kind": kind,
        "cell_id": cell.id,
        "contact_name": names.person_name(rng),
        "contact_phone": names.fake_phone(rng),
        "description": f"{cell.name}{_ORG_DESCRIPTIONS[kind]}",
        "active": True,
        "created_at": GRID_CREATED,
        "updated_at": GRID_CREATED,
    }
    data.organisations.append(row)
    pop.orgs_by_cell.setdefault(cell.id, []).append(row)


_ORG_DESCRIPTIONS = {
    "PARTY_BODY": "基层党组织，统筹辖区治理资源。",
    "AGENCY": "挂钩单位，在职党员到社区报到、认领服务岗位。",
    "UNIT": "共建单位，提供场所、设施和专业服务。",
    "ENTERPRISE": "辖区企业，参与“我为群众办实事”资源共享。",
    "SOCIAL_ORGANISATION": "社会组织，承接社工、志愿和公益服务。",
    "NEIGHBOURHOOD_ASSOCIATION": "街坊会，私事小事由街坊会协调跟进。",
    "PROPERTY_COMPANY": "物业服务企业，参加居委会、业委会、物业三方联席会议。",
}


def _organisations(
    rng: random.Random, scale: Scale, grid: Grid, data: DemoData, pop: Population
) -> None:
    for agency in names.DISTRICT_AGENCIES:
        _org(data, pop, rng, grid.district, agency, "AGENCY")
    for town in grid.towns:
        for template, kind in names.TOWN_UNITS:
            _org(data, pop, rng, town, template.format(town=town.name), kind)
        enterprises = max(scale.enterprises_per_town, len(town.children) // 6)
        for _ in range(enterprises):
            _org(data, pop, rng, town, names.enterprise_name(rng, town.name), "ENTERPRISE")
    for village in grid.villages:
        community = village.row["kind"] == "COMMUNITY"
        _org(
            data, pop, rng, village, names.village_party_body(village.name, community), "PARTY_BODY"
        )
        if community:
            _org(data, pop, rng, village, f"{village.name}街坊会", "NEIGHBOURHOOD_ASSOCIATION")
        elif rng.random() < 0.3:
            _org(data, pop, rng, village, names.enterprise_name(rng, village.name), "ENTERPRISE")
        for branch in village.children:
            if branch.row["kind"] == "RESIDENTIAL_COMPOUND":
                company = f"{names.property_company_name(rng)}（{branch.name}）"
                _org(data, pop, rng, branch, company, "PROPERTY_COMPANY")


def _person(
    rng: random.Random,
    data: DemoData,
    pop: Population,
    cell: Node,
    kind: str,
    role: str,
    organisation_id: int | None = None,
) -> Row:
    party = kind in _PARTY_KINDS
    skills = rng.sample(_SKILL_NAMES, rng.choice((1, 1, 2, 2, 3)))
    categories: list[str] = []
    if rng.random() < 0.5:
        domains = {c for s in skills for c in catalog.SKILLS[s]}
        categories = [c for c in _CATEGORY_ORDER if c in domains]
    leader = role != "MEMBER"
    if leader:
        max_lead = rng.randint(2, 3)
    elif party:
        max_lead = 1 if rng.random() < 0.45 else 0
    else:
        max_lead = 0
    available_from, available_to = season_window(rng, 0.15)
    row: Row = {
        "id": len(data.people) + 1,
        "cell_id": cell.id,
        "name": names.person_name(rng),
        "phone": names.fake_phone(rng),
        "kind": kind,
        "role": role,
        "party_member": party,
        "organisation_id": organisation_id,
        "skills": skills,
        "categories": categories,
        "hours": rng.randint(12, 40) if party else rng.randint(6, 24),
        "max_deeds": rng.randint(1, 3),
        "max_lead": max_lead,
        "reach": _reach(rng, kind, role, cell.level),
        "available_from": available_from,
        "available_to": available_to,
        "household_id": None,
        "active": True,
        "created_at": GRID_CREATED,
        "updated_at": GRID_CREATED,
    }
    data.people.append(row)
    pop.cell_of[row["id"]] = cell
    return row


def _reach(rng: random.Random, kind: str, role: str, level: str) -> str | None:
    if role != "MEMBER":
        # A leader serves the cell they lead: the group leader their branch, secretaries their area.
        return {"GROUP": "BRANCH", "BRANCH": "VILLAGE"}.get(level, level)
    roll = rng.random()
    if kind == "IN_SERVICE_MEMBER":
        return "VILLAGE" if roll < 0.6 else ("TOWN" if roll < 0.9 else None)
    return "GROUP" if roll < 0.4 else ("BRANCH" if roll < 0.9 else "VILLAGE")


def _leader(rng: random.Random, data: DemoData, pop: Population, cell: Node) -> Row:
    person = _person(rng, data, pop, cell, "PARTY_MEMBER", "SECRETARY")
    cell.row["leader_id"] = person["id"]
    return person


def _group_members(
    rng: random.Random,
    data: DemoData,
    pop: Population,
    group: Node,
    count: int,
    agencies: list[Row],
) -> None:
    branch = group.parent
    assert branch is not None
    assert branch.parent is not None
    members: list[Row] = []
    for i in range(count):
        if i == 0:
            kind, role = "PARTY_MEMBER", "GROUP_LEADER"
        elif i == 1 and branch.row["leader_id"] is None:
            # The branch secretary is a member of the branch's first group.
            kind, role = "PARTY_MEMBER", "SECRETARY"
        else:
            (kind,) = rng.choices(_KINDS, cum_weights=_KIND_CUM)
            role = "MEMBER"
        org = rng.choice(agencies)["id"] if kind == "IN_SERVICE_MEMBER" else None
        person = _person(rng, data, pop, group, kind, role, org)
        if role == "GROUP_LEADER":
            group.row["leader_id"] = person["id"]
        elif role == "SECRETARY":
            branch.row["leader_id"] = person["id"]
            # A secretary leads the branch, so their reach is the village like other secretaries.
            person["reach"] = "VILLAGE"
        members.append(person)
    pop.people_by_group[group.id] = members
    pop.people_by_village[branch.parent.id].extend(members)


def _households(
    rng: random.Random, scale: Scale, data: DemoData, pop: Population, group: Node
) -> None:
    branch = group.parent
    assert branch is not None
    assert branch.parent is not None
    assert branch.parent.parent is not None
    village, town = branch.parent, branch.parent.parent
    rows: list[Row] = []
    lo, hi = scale.households_per_member
    for member in pop.people_by_group[group.id]:
        for _ in range(rng.randint(lo, hi)):
            elderly = rng.random() < 0.08
            row: Row = {
                "id": len(data.households) + 1,
                "cell_id": group.id,
                "code": f"{group.row['code']}-H{len(rows) + 1:03d}",
                "head_name": names.person_name(rng),
                "address": names.street_address(rng, town.name, village.name, branch.name),
                "phone": names.fake_phone(rng) if rng.random() < 0.9 else None,
                "elderly_alone": elderly,
                "disability": rng.random() < 0.03,
                "low_income": rng.random() < 0.05,
                "size": 1 if elderly else rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5, 6)),
                "contact_person_id": member["id"],
                "active": rng.random() < 0.98,
                "created_at": GRID_CREATED,
                "updated_at": GRID_CREATED,
            }
            data.households.append(row)
            rows.append(row)
    pop.households_by_group[group.id] = rows
    # Members live among the households they contact (in-service members live elsewhere), which is
    # what makes the optimiser's conflict-of-interest rule bite.
    for member in pop.people_by_group[group.id]:
        if member["kind"] != "IN_SERVICE_MEMBER" and rows and rng.random() < 0.4:
            member["household_id"] = rng.choice(rows)["id"]


def _visits(rng: random.Random, scale: Scale, data: DemoData, pop: Population) -> None:
    first_day = date(2026, 3, 1)
    for household in data.households:
        if rng.random() >= scale.visit_share:
            continue
        for _ in range(rng.randint(1, 3)):
            day = first_day + timedelta(days=rng.randint(0, 91))
            topics = rng.sample(catalog.VISIT_TOPICS, rng.randint(1, 3))
            data.contact_visits.append(
                {
                    "id": len(data.contact_visits) + 1,
                    "household_id": household["id"],
                    "person_id": household["contact_person_id"],
                    "visited_on": day,
                    "topics": [t for t in catalog.VISIT_TOPICS if t in topics],
                    "notes": rng.choice(catalog.VISIT_NOTES) if rng.random() < 0.4 else None,
                    "created_at": stamp(day, 18),
                    "updated_at": stamp(day, 18),
                }
            )
