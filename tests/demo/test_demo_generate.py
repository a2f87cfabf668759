"""The generator alone: determinism, grid shape, the optimiser's contract, deed consistency."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date

import pytest

from sandan.db import enums
from sandan.db.base import Base
from sandan.demo import SCALES, TABLE_ORDER, DemoData, Row, generate
from sandan.demo.catalog import SKILLS
from sandan.demo.scales import allocate

LEVELS = [level.value for level in enums.Level]


def digest(data: DemoData) -> str:
    return hashlib.sha256(repr(data.tables()).encode()).hexdigest()


def group_members(data: DemoData) -> list[Row]:
    """People of the household-contact groups (not the town and village secretaries)."""
    groups = {c["id"] for c in data.cells if c["level"] == "GROUP"}
    return [p for p in data.people if p["cell_id"] in groups]


def test_same_seed_same_data(tiny_data: DemoData) -> None:
    assert generate("tiny", 7) == tiny_data


def test_different_seed_different_data(tiny_data: DemoData) -> None:
    other = generate("tiny", 8)
    assert other != tiny_data
    assert [p["name"] for p in other.people] != [p["name"] for p in tiny_data.people]


def test_town_is_deterministic_across_processes(town_data: DemoData) -> None:
    # Another interpreter with another string-hash seed: set or dict order must not leak in.
    script = (
        "import hashlib; from sandan.demo import generate; "
        "print(hashlib.sha256(repr(generate('town', 2026).tables()).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == digest(town_data)


def test_unknown_scale() -> None:
    with pytest.raises(ValueError, match="unknown demo scale"):
        generate("city", 1)


@pytest.mark.parametrize("scale", ["tiny", "town"])
def test_rows_use_model_columns_and_enum_values(
    scale: str, tiny_data: DemoData, town_data: DemoData
) -> None:
    data = tiny_data if scale == "tiny" else town_data
    for name, rows in data.tables().items():
        table = Base.metadata.tables[name]
        keys = set(rows[0]) if rows else set()
        assert keys <= set(table.columns.keys()), name
        assert all(set(row) == keys for row in rows), name
        assert [row["id"] for row in rows] == list(range(1, len(rows) + 1)), name
        for column in table.columns:
            enum_class = getattr(column.type, "enum_class", None)
            if enum_class is not None and column.name in keys:
                allowed = {m.value for m in enum_class} | {None}
                assert {row[column.name] for row in rows} <= allowed, (name, column.name)


def test_paths_and_levels(town_data: DemoData) -> None:
    cells = {c["id"]: c for c in town_data.cells}
    for cell in town_data.cells:
        parent = cells.get(cell["parent_id"])
        if parent is None:
            assert cell["path"] == f"/{cell['id']}/"
            continue
        assert cell["path"] == f"{parent['path']}{cell['id']}/"
        assert LEVELS.index(cell["level"]) > LEVELS.index(parent["level"])
        assert cell["kind"] in {k.value for k in enums.KINDS_BY_LEVEL[enums.Level(cell["level"])]}
    assert len({c["code"] for c in town_data.cells}) == len(cells)


def test_town_grid_shape(town_data: DemoData) -> None:
    by_level: dict[str, list[dict[str, object]]] = defaultdict(list)
    children: Counter[int] = Counter()
    for cell in town_data.cells:
        by_level[cell["level"]].append(cell)
        if cell["parent_id"] is not None:
            children[cell["parent_id"]] += 1
    assert [c["name"] for c in by_level["DISTRICT"]] == ["南海区"]
    assert [c["name"] for c in by_level["TOWN"]] == ["九江镇"]
    villages = by_level["VILLAGE"]
    assert len(villages) == 33
    assert {"下西社区", "上西村", "敦根社区"} <= {str(v["name"]) for v in villages}
    assert all(5 <= children[int(str(v["id"]))] <= 9 for v in villages)
    assert all(2 <= children[int(str(b["id"]))] <= 3 for b in by_level["BRANCH"])
    # Communities have residential compounds; every branch kind appears somewhere.
    assert {b["kind"] for b in by_level["BRANCH"]} == {
        "VILLAGER_GROUP",
        "ECONOMIC_COOPERATIVE",
        "NATURAL_VILLAGE",
        "RESIDENTIAL_COMPOUND",
    }


def test_leaders(town_data: DemoData) -> None:
    people = {p["id"]: p for p in town_data.people}
    cells = {c["id"]: c for c in town_data.cells}
    for cell in town_data.cells:
        if cell["level"] == "DISTRICT":
            continue
        leader = people[cell["leader_id"]]
        assert leader["party_member"]
        assert leader["max_lead"] >= 1
        if cell["level"] == "GROUP":
            assert leader["role"] == "GROUP_LEADER"
            assert leader["cell_id"] == cell["id"]
        else:
            assert leader["role"] == "SECRETARY"
            assert cells[leader["cell_id"]]["path"].startswith(cell["path"])


def test_people_meet_the_optimiser_contract(town_data: DemoData) -> None:
    households = {h["id"]: h for h in town_data.households}
    members = group_members(town_data)
    party_share = sum(p["party_member"] for p in members) / len(members)
    assert 0.55 < party_share < 0.72
    assert any(p["kind"] == "IN_SERVICE_MEMBER" and p["organisation_id"] for p in members)
    for person in town_data.people:
        assert person["max_deeds"] >= 1
        assert person["hours"] > 0
        assert person["max_lead"] == 0 or person["party_member"]
        assert person["reach"] in [*LEVELS, None]
        assert set(person["skills"]) <= set(SKILLS)
        assert set(person["categories"]) <= {c.value for c in enums.Category}
        if person["available_from"] is not None:
            assert date(2026, 5, 1) <= person["available_from"] <= person["available_to"]
            assert person["available_to"] <= date(2026, 8, 31)
        if person["household_id"] is not None:
            assert households[person["household_id"]]["cell_id"] == person["cell_id"]
    assert any(p["household_id"] for p in town_data.people)
    assert any(p["max_lead"] >= 1 and p["role"] == "MEMBER" for p in town_data.people)


def test_households(town_data: DemoData) -> None:
    households = town_data.households
    people = {p["id"]: p for p in town_data.people}
    assert 5 <= len(households) / len(group_members(town_data)) <= 8
    assert 0.05 < sum(h["elderly_alone"] for h in households) / len(households) < 0.11
    assert 0.01 < sum(h["disability"] for h in households) / len(households) < 0.05
    assert 0.03 < sum(h["low_income"] for h in households) / len(households) < 0.07
    for household in households:
        assert people[household["contact_person_id"]]["cell_id"] == household["cell_id"]
        assert household["phone"] is None or household["phone"].startswith(
            ("1390000", "1380000", "1370000")
        )
    visited = {v["household_id"] for v in town_data.contact_visits}
    assert 0.1 < len(visited) / len(households) < 0.5


def test_resources(town_data: DemoData) -> None:
    resources = town_data.resources
    reach = Counter(r["reach"] for r in resources)
    assert 0.14 < reach["VILLAGE"] / len(resources) < 0.26
    assert 0.08 < reach["TOWN"] / len(resources) < 0.16
    assert reach["BRANCH"] + reach["GROUP"] > len(resources) / 2
    assert {r["kind"] for r in resources} == {k.value for k in enums.ResourceKind}
    covered = {c for r in resources for c in r["categories"]}
    assert covered == {c.value for c in enums.Category}
    for resource in resources:
        assert resource["capacity"] >= 1
        assert resource["provider_organisation_id"] or resource["provider_person_id"]


def test_needs(town_data: DemoData) -> None:
    needs = town_data.needs
    per_branch = len(needs) / sum(1 for c in town_data.cells if c["level"] == "BRANCH")
    assert 8 <= per_branch <= 12
    assert {n["category"] for n in needs} == {c.value for c in enums.Category}
    assert {n["channel"] for n in needs} == {c.value for c in enums.NeedChannel}
    assert {n["scale"] for n in needs} == {"SMALL", "MAJOR"}
    assert any(n["household_id"] for n in needs)
    kinds = {k.value for k in enums.ResourceKind}
    for need in needs:
        assert 0 <= need["volunteers"] <= 4
        assert need["hours"] >= 0
        assert set(need["skills"]) <= set(SKILLS)
        assert len(need["skills"]) <= need["volunteers"]
        for request in need["resource_requests"]:
            assert set(request) == {"kind", "quantity"}
            assert request["kind"] in kinds
            assert request["quantity"] >= 1
        assert date(2026, 3, 1) <= need["reported_on"] <= date(2026, 5, 31)
        if need["window_from"] is not None:
            assert date(2026, 5, 1) <= need["window_from"] <= need["window_to"] <= date(2026, 8, 31)


def test_town_deeds_are_consistent(town_data: DemoData) -> None:
    check_deeds(town_data)


@pytest.mark.parametrize("seed", range(1, 9))
def test_tiny_deeds_are_consistent(seed: int) -> None:
    data = generate("tiny", seed)
    assert len(data.deeds) == SCALES["tiny"].min_deeds
    check_deeds(data)


def check_deeds(data: DemoData) -> None:
    needs = {n["id"]: n for n in data.needs}
    people = {p["id"]: p for p in data.people}
    resources = {r["id"]: r for r in data.resources}
    cells = {c["id"]: c for c in data.cells}
    assert data.deeds
    members = defaultdict(list)
    for member in data.deed_members:
        members[member["deed_id"]].append(member)
    leads: Counter[int] = Counter()
    teams: Counter[int] = Counter()
    hours: Counter[int] = Counter()
    for deed in data.deeds:
        need = needs[deed["need_id"]]
        assert deed["cell_id"] == need["cell_id"]
        expected = {"COMPLETED": "DONE", "EVALUATED": "DONE", "CANCELLED": "OPEN"}
        assert need["status"] == expected.get(deed["status"], "MATCHED")
        lead = people[deed["lead_id"]]
        assert lead["party_member"]
        assert lead["max_lead"] >= 1
        assert cells[need["cell_id"]]["path"].startswith(_reach_path(lead, cells))
        roles = Counter(m["role"] for m in members[deed["id"]])
        assert roles == Counter({"LEAD": 1, "TEAM": need["volunteers"]}) - Counter()
        assert [m["person_id"] for m in members[deed["id"]] if m["role"] == "LEAD"] == [lead["id"]]
        team = [people[m["person_id"]] for m in members[deed["id"]] if m["role"] == "TEAM"]
        assert set(need["skills"]) <= {s for p in team for s in p["skills"]}
        for person in team:
            assert cells[need["cell_id"]]["path"].startswith(_reach_path(person, cells))
            assert need["household_id"] is None or person["household_id"] != need["household_id"]
            hours[person["id"]] += need["hours"]
        leads[lead["id"]] += 1
        teams.update(p["id"] for p in team)
        milestones = [m for m in data.deed_milestones if m["deed_id"] == deed["id"]]
        assert [m["seq"] for m in milestones] == [1, 2, 3, 4]
        finished = deed["status"] in ("COMPLETED", "EVALUATED")
        assert all(m["done_on"] for m in milestones) == finished
    assert all(leads[p] <= people[p]["max_lead"] for p in leads)
    assert all(teams[p] <= people[p]["max_deeds"] for p in teams)
    assert all(hours[p] <= people[p]["hours"] for p in hours)
    used: Counter[int] = Counter()
    for draw in data.deed_resources:
        used[draw["resource_id"]] += draw["quantity"]
    assert all(used[r] <= resources[r]["capacity"] for r in used)
    with_deed = {d["need_id"] for d in data.deeds if d["status"] != "CANCELLED"}
    assert {n["id"] for n in data.needs if n["status"] in ("MATCHED", "DONE")} == with_deed


def test_town_deed_statuses(town_data: DemoData) -> None:
    assert 20 <= len(town_data.deeds) <= 80
    # Every state of the lifecycle, so the board and the joint meeting's agenda are full.
    assert {d["status"] for d in town_data.deeds} == {status.value for status in enums.DeedStatus}
    assert any(d["published"] for d in town_data.deeds)
    assert not any(d["published"] for d in town_data.deeds if d["status"] == "PROPOSED")


def test_town_lifecycle_records(town_data: DemoData) -> None:
    deeds = {d["id"]: d for d in town_data.deeds}
    months: dict[int, list[object]] = defaultdict(list)
    for report in town_data.deed_reports:
        months[report["deed_id"]].append(report["month"])
    in_progress = [d for d in deeds.values() if d["status"] == "IN_PROGRESS"]
    last = max(m for ms in months.values() for m in ms)
    # Some deeds in progress skipped the last month (overdue), others reported it.
    assert {last in months[d["id"]] for d in in_progress} == {True, False}
    rated = {f["deed_id"] for f in town_data.deed_feedback}
    assert rated == {d["id"] for d in deeds.values() if d["status"] == "EVALUATED"}
    assert all(1 <= f["rating"] <= 5 for f in town_data.deed_feedback)
    assert {m["deed_id"] for m in town_data.meeting_decisions} <= {d["id"] for d in in_progress}
    assert town_data.meeting_decisions


def _reach_path(person: dict[str, object], cells: dict[int, dict[str, object]]) -> str:
    if person["reach"] is None:
        return "/"
    cell = cells[int(str(person["cell_id"]))]
    while LEVELS.index(str(cell["level"])) > LEVELS.index(str(person["reach"])):
        cell = cells[int(str(cell["parent_id"]))]
    return str(cell["path"])


def test_district_figures_add_up() -> None:
    district = SCALES["district"]
    assert sum(t[2] for t in district.towns) == 290
    counts = allocate(random.Random(1), 2123, district.groups_per_branch, 5052)
    assert sum(counts) == 5052
    assert set(counts) == {2, 3}
    assert TABLE_ORDER[0] == "cells"
