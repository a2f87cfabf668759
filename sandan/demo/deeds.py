"""The deeds list (mid-May 2026): needs joined to a lead, a team and resources, with a plan.

Deeds obey the optimiser's eligibility and capacity rules (shared/contract/matching.md), so a demo
database loaded from here is one the optimiser could have produced.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from sandan.demo import catalog
from sandan.demo.data import DemoData, Row
from sandan.demo.grid import Grid, Node
from sandan.demo.population import Population, stamp
from sandan.demo.scales import Scale
from sandan.matching.tree import path_distance

_STATUSES = ("PROPOSED", "APPROVED", "IN_PROGRESS", "DONE")
_STATUS_CUM = list(accumulate((25, 25, 30, 20)))
_MILESTONE_OFFSETS = (3, 10, 30, 45)  # days after the deed starts
_DONE_MILESTONES = {"PROPOSED": 0, "APPROVED": 1, "IN_PROGRESS": 2, "DONE": 4}
_URGENCY_WEIGHT = {"LOW": 1, "MEDIUM": 2, "HIGH": 4, "CRITICAL": 8}
_RELAXED: dict[str, list[object]] = {"skills": [], "resource_requests": []}


@dataclass(slots=True)
class _Usage:
    leads: defaultdict[int, int] = field(default_factory=lambda: defaultdict(int))
    deeds: defaultdict[int, int] = field(default_factory=lambda: defaultdict(int))
    hours: defaultdict[int, int] = field(default_factory=lambda: defaultdict(int))
    units: defaultdict[int, int] = field(default_factory=lambda: defaultdict(int))


def build_deeds(
    rng: random.Random, scale: Scale, grid: Grid, pop: Population, data: DemoData
) -> None:
    cells = {node.id: node for node in _walk(grid.district)}
    resources_by_kind: dict[str, list[Row]] = defaultdict(list)
    for resource in data.resources:
        if resource["status"] == "ACTIVE":
            resources_by_kind[resource["kind"]].append(resource)
    target = max(scale.min_deeds, round(len(data.needs) * scale.deed_share))
    # Every deed gets a responsible lead (负责人), so needs that ask for none stay open here.
    candidates = [n for n in data.needs if n["status"] == "OPEN" and n["needs_lead"]]
    # A sample weighted towards the urgent (急难愁盼) that still lets ordinary needs through:
    # sorting by u ** (1 / weight) draws without replacement in proportion to the weights.
    key = {n["id"]: rng.random() ** (1 / _URGENCY_WEIGHT[n["urgency"]]) for n in candidates}
    candidates.sort(key=lambda n: key[n["id"]], reverse=True)
    usage = _Usage()
    orgs = {o["id"]: str(o["name"]) for o in data.organisations}
    for relax in (False, True):
        for need in candidates:
            if len(data.deeds) >= target:
                return
            if need["status"] != "OPEN":
                continue
            cell = cells[need["cell_id"]]
            people = pop.people_by_village[cell.ancestor("VILLAGE").id]
            # A small grid may have too few skills or resources for the target; the second pass
            # scales such needs down (as a branch would) so that the demo always has deeds.
            wanted = (
                {**need, **_RELAXED, "volunteers": min(need["volunteers"], 1)} if relax else need
            )
            match = _match(wanted, cell, people, pop, cells, resources_by_kind, usage)
            if match is not None:
                need.update({k: wanted[k] for k in ("skills", "resource_requests", "volunteers")})
                _record(rng, data, need, match, usage, orgs)


def _walk(node: Node) -> list[Node]:
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(n.children)
    return out


@dataclass(slots=True)
class _Match:
    lead: Row | None
    team: list[Row]
    draws: list[tuple[Row, int]]


def _overlap(
    a_from: date | None, a_to: date | None, b_from: date | None, b_to: date | None
) -> bool:
    return (a_from is None or b_to is None or a_from <= b_to) and (
        b_from is None or a_to is None or b_from <= a_to
    )


def _distance(a: str, b: str) -> int:
    """Tree edges between two cells given their paths."""
    return path_distance(a.strip("/").split("/"), b.strip("/").split("/"))


def _serves(
    cell: Node, reach: str | None, categories: list[str], need: Row, need_cell: Node
) -> bool:
    reach_path = "/" if reach is None else cell.ancestor(reach).path
    return need_cell.path.startswith(reach_path) and (
        not categories or need["category"] in categories
    )


def _match(
    need: Row,
    cell: Node,
    people: list[Row],
    pop: Population,
    cells: dict[int, Node],
    resources_by_kind: dict[str, list[Row]],
    usage: _Usage,
) -> _Match | None:
    eligible = [
        p
        for p in people
        if _serves(pop.cell_of[p["id"]], p["reach"], p["categories"], need, cell)
        and _overlap(p["available_from"], p["available_to"], need["window_from"], need["window_to"])
        and (need["household_id"] is None or p["household_id"] != need["household_id"])
    ]
    eligible.sort(key=lambda p: (_distance(pop.cell_of[p["id"]].path, cell.path), p["id"]))
    lead = None
    if need["needs_lead"]:
        leads = [p for p in eligible if p["party_member"] and usage.leads[p["id"]] < p["max_lead"]]
        if not leads:
            return None
        lead = leads[0]
    free = [
        p
        for p in eligible
        if p is not lead
        and usage.deeds[p["id"]] < p["max_deeds"]
        and usage.hours[p["id"]] + need["hours"] <= p["hours"]
    ]
    team: list[Row] = []
    for skill in need["skills"]:
        if any(skill in p["skills"] for p in team):
            continue
        holder = next((p for p in free if skill in p["skills"] and p not in team), None)
        if holder is None:
            return None
        team.append(holder)
    team += [p for p in free if p not in team][: need["volunteers"] - len(team)]
    if len(team) != need["volunteers"]:
        return None
    draws = _draw_resources(need, cell, cells, resources_by_kind, usage)
    return None if draws is None else _Match(lead, team, draws)


def _draw_resources(
    need: Row,
    cell: Node,
    cells: dict[int, Node],
    resources_by_kind: dict[str, list[Row]],
    usage: _Usage,
) -> list[tuple[Row, int]] | None:
    draws: list[tuple[Row, int]] = []
    taken: defaultdict[int, int] = defaultdict(int)
    for request in need["resource_requests"]:
        wanted = int(request["quantity"])
        for resource in resources_by_kind.get(request["kind"], []):
            if wanted == 0:
                break
            left = resource["capacity"] - usage.units[resource["id"]] - taken[resource["id"]]
            if left <= 0 or not _resource_serves(resource, need, cell, cells):
                continue
            quantity = min(left, wanted)
            taken[resource["id"]] += quantity
            draws.append((resource, quantity))
            wanted -= quantity
        if wanted:
            return None
    return draws


def _resource_serves(resource: Row, need: Row, cell: Node, cells: dict[int, Node]) -> bool:
    # Resources are placed at the cell of their reach, so the reach cell is the resource's own cell.
    return (
        cell.path.startswith(cells[resource["cell_id"]].path)
        and (not resource["categories"] or need["category"] in resource["categories"])
        and _overlap(
            resource["available_from"],
            resource["available_to"],
            need["window_from"],
            need["window_to"],
        )
    )


def _record(
    rng: random.Random,
    data: DemoData,
    need: Row,
    match: _Match,
    usage: _Usage,
    orgs: dict[int, str],
) -> None:
    if len(data.deeds) < len(_STATUSES):
        # The first deeds walk the life cycle in order, so a small grid shows its early stages.
        status = _STATUSES[len(data.deeds)]
    else:
        (status,) = rng.choices(_STATUSES, cum_weights=_STATUS_CUM)
    deed_id = len(data.deeds) + 1
    created = date(2026, 5, 11) + timedelta(days=rng.randint(0, 7))
    approved = created + timedelta(days=rng.randint(1, 5)) if status != "PROPOSED" else None
    walking = len(data.deeds) < len(_STATUSES)
    # Half the approved deeds are published (the walk's one always, so even the tiny grid's
    # public board has a deed that has just begun); the draw is made either way, which keeps
    # the rest of the demo the same.
    published = status in ("IN_PROGRESS", "DONE") or (
        status == "APPROVED" and (rng.random() < 0.5 or walking)
    )
    start = max(need["window_from"] or created, created)
    dues = [start + timedelta(days=d) for d in _MILESTONE_OFFSETS]
    done_count = _DONE_MILESTONES[status] + (status == "IN_PROGRESS" and rng.random() < 0.5)
    done_days = [due - timedelta(days=rng.randint(0, 2)) for due in dues[:done_count]]
    partners = sorted(
        {
            orgs[r["provider_organisation_id"]]
            for r, _ in match.draws
            if r["provider_organisation_id"]
        }
    )[:2] or ["党员志愿者"]
    lead_name = match.lead["name"] if match.lead else "党支部书记"
    # The lifecycle's names: a finished deed waits for its rating, a published one is public.
    state = {"DONE": "COMPLETED", "APPROVED": "PUBLISHED" if published else "APPROVED"}
    plan = catalog.PLAN_TEMPLATE.format(
        lead=lead_name,
        partners="、".join(partners),
        title=need["title"],
        start=f"{dues[0].month}月{dues[0].day}日",
        end=f"{dues[-1].month}月{dues[-1].day}日",
    )
    data.deeds.append(
        {
            "id": deed_id,
            "need_id": need["id"],
            "cell_id": need["cell_id"],
            "title": need["title"],
            "status": state.get(status, status),
            "lead_id": match.lead["id"] if match.lead else None,
            "plan": plan,
            "published": published,
            "published_at": stamp(approved + timedelta(days=2)) if published and approved else None,
            "approved_at": stamp(approved) if approved else None,
            "done_at": stamp(done_days[-1], 17) if status == "DONE" else None,
            "created_at": stamp(created),
            "updated_at": stamp(done_days[-1] if done_days else created, 17),
        }
    )
    need["status"] = "DONE" if status == "DONE" else "MATCHED"
    need["updated_at"] = stamp(created)
    members = [(match.lead, "LEAD")] if match.lead else []
    members += [(p, "TEAM") for p in match.team]
    for person, role in members:
        assert person is not None
        if role == "LEAD":
            usage.leads[person["id"]] += 1
        else:
            usage.deeds[person["id"]] += 1
            usage.hours[person["id"]] += need["hours"]
        data.deed_members.append(
            {
                "id": len(data.deed_members) + 1,
                "deed_id": deed_id,
                "person_id": person["id"],
                "role": role,
            }
        )
    for resource, quantity in match.draws:
        usage.units[resource["id"]] += quantity
        data.deed_resources.append(
            {
                "id": len(data.deed_resources) + 1,
                "deed_id": deed_id,
                "resource_id": resource["id"],
                "quantity": quantity,
            }
        )
    for seq, (title, due) in enumerate(zip(catalog.MILESTONES, dues, strict=True), start=1):
        data.deed_milestones.append(
            {
                "id": len(data.deed_milestones) + 1,
                "deed_id": deed_id,
                "seq": seq,
                "title": title,
                "due_on": due,
                "done_on": done_days[seq - 1] if seq <= len(done_days) else None,
            }
        )
