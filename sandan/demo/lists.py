"""The resource list (due end of April) and the needs list (reported March to mid-May 2026)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from itertools import accumulate

from sandan.demo import catalog
from sandan.demo.data import DemoData, Row
from sandan.demo.grid import Grid, Node
from sandan.demo.population import Population, season_window, stamp
from sandan.demo.scales import Scale

# Most entries serve their branch or group; a fifth the whole village, an eighth the whole town.
_REACHES = ("GROUP", "BRANCH", "VILLAGE", "TOWN")
_REACH_CUM = list(accumulate((25, 43, 20, 12)))

_CATEGORIES = tuple(catalog.NEEDS)
_CATEGORY_CUM = list(accumulate((10, 13, 14, 12, 9, 24, 11, 7)))
_CHANNELS = tuple(catalog.CHANNEL_NAMES)
_CHANNEL_CUM = list(accumulate((45, 20, 20, 8, 7)))
_URGENCIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
_URGENCY_CUM = list(accumulate((25, 45, 23, 7)))
_TEAM_CUM = list(accumulate((10, 25, 35, 20, 10)))  # 0–4 volunteers


def build_resources(
    rng: random.Random, scale: Scale, grid: Grid, pop: Population, data: DemoData
) -> None:
    lo, hi = scale.resources_per_branch
    for branch in grid.branches:
        for _ in range(rng.randint(lo, hi)):
            (reach,) = rng.choices(_REACHES, cum_weights=_REACH_CUM)
            cell = rng.choice(branch.children) if reach == "GROUP" else branch.ancestor(reach)
            _resource(rng, pop, data, cell, reach)


def _resource(rng: random.Random, pop: Population, data: DemoData, cell: Node, reach: str) -> None:
    template = rng.choice(catalog.RESOURCES)
    kinds = catalog.TEMPLATE_PROVIDERS.get(template.title, catalog.PROVIDER_KINDS[template.kind])
    # Venues and facilities belong to the place itself: a town unit does not own a village's hall.
    local = template.kind in ("VENUE", "FACILITY")
    providers = [o for o in _orgs_around(pop, cell, local) if o["kind"] in kinds]
    org: Row | None = None
    person: Row | None = None
    personal = reach in ("GROUP", "BRANCH") and rng.random() < 0.2
    if providers and not personal:
        org = rng.choice(providers)
        # A group's name (第一户联系党小组) says nothing on its own; its branch's does.
        place = cell.ancestor("BRANCH").name if cell.level == "GROUP" else cell.name
        title = place + template.title
        provider = org["name"]
    else:
        # Members (党员, 乡贤) give from their own means: a car, a toolbox, a shopfront.
        template = rng.choice(catalog.PERSONAL_RESOURCES)
        person = rng.choice(pop.people_by_group[_first_group(cell).id])
        title = template.title
        provider = ("党员" if person["party_member"] else "志愿者") + person["name"]
    closed = rng.random() < 0.03
    available_from, available_to = season_window(rng, 0.25)
    lo, hi = template.capacity
    created = stamp(date(2026, 4, 1) + timedelta(days=rng.randint(0, 29)))
    categories = "、".join(catalog.CATEGORY_NAMES[c] for c in template.categories) or "各类服务"
    data.resources.append(
        {
            "id": len(data.resources) + 1,
            "cell_id": cell.id,
            "title": title,
            "description": f"由{provider}提供，可用于{categories}。",
            "kind": template.kind,
            "categories": list(template.categories),
            "capacity": rng.randint(lo, hi),
            "unit": template.unit,
            "reach": reach,
            "available_from": available_from,
            "available_to": available_to,
            "provider_organisation_id": org["id"] if org else None,
            "provider_person_id": person["id"] if person else None,
            "status": "CLOSED" if closed else "ACTIVE",
            "closed_at": stamp(date(2026, 5, 20)) if closed else None,
            "created_at": created,
            "updated_at": created,
        }
    )


def _orgs_around(pop: Population, cell: Node, local: bool) -> list[Row]:
    """Organisations at the cell and the two cells above it (village bodies give to branches);
    when `local`, none from above the village unless the cell is itself the town."""
    found: list[Row] = []
    node: Node | None = cell
    for _ in range(3):
        if node is None or (local and node is not cell and node.level in ("TOWN", "DISTRICT")):
            break
        found.extend(pop.orgs_by_cell.get(node.id, ()))
        node = node.parent
    return found


def _first_group(cell: Node) -> Node:
    while cell.level != "GROUP":
        cell = cell.children[0]
    return cell


def build_needs(
    rng: random.Random, scale: Scale, grid: Grid, pop: Population, data: DemoData
) -> None:
    lo, hi = scale.needs_per_branch
    for branch in grid.branches:
        for _ in range(rng.randint(lo, hi)):
            _need(rng, pop, data, branch)


def _need(rng: random.Random, pop: Population, data: DemoData, branch: Node) -> None:
    (category,) = rng.choices(_CATEGORIES, cum_weights=_CATEGORY_CUM)
    template = rng.choice(catalog.NEEDS[category])
    major = rng.random() < (0.8 if template.major else 0.03)
    household: Row | None = None
    if template.household or rng.random() < 0.2:
        cell = rng.choice(branch.children)
        household = _pick_household(rng, pop, cell, category)
    elif major:
        cell = branch if rng.random() < 0.7 else branch.ancestor("VILLAGE")
    else:
        cell = branch if rng.random() < 0.7 else rng.choice(branch.children)
    (channel,) = rng.choices(_CHANNELS, cum_weights=_CHANNEL_CUM)
    if household is not None and channel in ("QUESTIONNAIRE", "MEETING"):
        channel = "HOUSEHOLD_VISIT"
    (urgency,) = rng.choices(_URGENCIES, cum_weights=_URGENCY_CUM)
    if household is not None and household["elderly_alone"] and urgency in ("LOW", "MEDIUM"):
        urgency = "HIGH"
    volunteers = rng.randint(2, 4) if major else rng.choices(range(5), cum_weights=_TEAM_CUM)[0]
    skills: list[str] = []
    if volunteers:
        # Never more skills than team members: each skill must be held by one of them.
        count = rng.randint(1, min(volunteers, len(template.skills)))
        skills = sorted(rng.sample(template.skills, count))
    requests = [
        {"kind": kind, "quantity": _quantity(rng, kind, major)}
        for kind in template.resources
        if rng.random() < 0.7
    ]
    window_from, window_to = _window(rng)
    reported = date(2026, 3, 1) + timedelta(days=rng.randint(0, 75))
    reporter = household["contact_person_id"] if household else _leader_of(pop, cell)
    # Published titles name the place, never the household; a group's name says little alone.
    place = "" if household else (branch.name if cell.level == "GROUP" else cell.name)
    closed = rng.random() < 0.03
    data.needs.append(
        {
            "id": len(data.needs) + 1,
            "cell_id": cell.id,
            "household_id": household["id"] if household else None,
            "title": place + template.title,
            "description": _describe(channel, cell, template.title, household),
            "public_text": _publish(channel, branch, household),
            "category": category,
            "channel": channel,
            "scale": "MAJOR" if major else "SMALL",
            "urgency": urgency,
            "status": "CLOSED" if closed else "OPEN",
            "needs_lead": rng.random() < 0.95,
            "volunteers": volunteers,
            "hours": rng.randint(4, 16) if major else rng.randint(2, 8),
            "skills": skills,
            "resource_requests": requests,
            "window_from": window_from,
            "window_to": window_to,
            "reported_on": reported,
            "reported_by_id": reporter,
            "closed_at": stamp(reported + timedelta(days=20), 17) if closed else None,
            "close_reason": rng.choice(catalog.CLOSE_REASONS) if closed else None,
            "created_at": stamp(reported),
            "updated_at": stamp(reported),
        }
    )


def _pick_household(rng: random.Random, pop: Population, group: Node, category: str) -> Row:
    households = pop.households_by_group[group.id]
    if category == "DAILY_LIFE" and rng.random() < 0.7:
        # Daily-life needs come mostly from elderly, disabled and low-income households.
        vulnerable = [
            h for h in households if h["elderly_alone"] or h["disability"] or h["low_income"]
        ]
        if vulnerable:
            return rng.choice(vulnerable)
    return rng.choice(households)


def _quantity(rng: random.Random, kind: str, major: bool) -> int:
    if kind == "FUNDS" and major:
        return rng.randint(1, 3)
    if kind == "MATERIAL":
        return rng.randint(1, 5)
    return 1


def _window(rng: random.Random) -> tuple[date | None, date | None]:
    if rng.random() < 0.15:
        return None, None
    start = date(2026, 5, 1) + timedelta(days=rng.randint(0, 60))
    return start, min(start + timedelta(days=rng.randint(14, 60)), date(2026, 8, 31))


def _leader_of(pop: Population, cell: Node) -> int | None:
    group = _first_group(cell)
    leader = group.row["leader_id"]
    return int(leader) if leader is not None else None


def _publish(channel: str, branch: Node, household: Row | None) -> str:
    """The text staff publish: the branch, the channel and an invitation, never who the need
    came from or their circumstances (a household's flags stay in the visit text,
    `_describe`), and not the title again (a catalogue title may name a service's users)."""
    how = catalog.CHANNEL_NAMES[channel]
    who = "联系户走访中登记" if household is not None else "群众反映"
    return f"经{how}收集，{branch.name}{who}的需求，欢迎有意的单位和志愿者认领。"


def _describe(channel: str, cell: Node, title: str, household: Row | None) -> str:
    how = catalog.CHANNEL_NAMES[channel]
    if household is None:
        return f"经{how}收集：{cell.name}群众反映“{title}”的需求，希望党支部协调资源尽快解决。"
    flags = [
        label
        for key, label in (
            ("elderly_alone", "独居长者"),
            ("disability", "残疾人"),
            ("low_income", "低收入"),
        )
        if household[key]
    ]
    who = "、".join(flags) + "家庭" if flags else "住户"
    return f"经{how}收集：{who}反映“{title}”的需求，已登记并由联系党员跟进。"
