"""Seeded, deterministic generator of realistic matching instances (contract version 1).

    python benchmarks/gen_matching.py town --seed 1 -o town.json

Scales (all rooted in a TOWN cell, or a DISTRICT cell over eight towns):

- ``tiny``: one village, two branches: 4 needs, 14 people, 6 resources (for tests);
- ``village``: one village of 5-9 branches x 2-3 groups: ~60 needs, ~180 people, ~25 resources;
- ``town``: ~33 villages x 5-9 branches x 2-3 groups: ~2,300 needs, ~6,400 people, ~950 resources;
- ``district``: 8 towns under a DISTRICT cell: ~21,000 needs, ~58,000 people, ~8,400 resources,
  plus a dozen district-wide resources (``reach: null``) that tie the towns into one component.

Shapes beside them (the optimiser must do well on each):

- ``towns``: the district without district-wide resources: eight independent towns (the usual
  case in Nanhai, where resources stay within their town);
- ``villages``: 60 tiny villages, each alone under its own town cell: many small components;
- ``bigvillage``: one huge village (~600 needs in 25 branches): one large component, no towns;
- ``scarce``: a town with a third of the resources: most needs compete for a few;
- ``noleads``: a town whose needs want no lead (team and resources only).

Robustness shapes (``benchmarks/shapes_sweep.py``), made by the parameters of `Scale`:

- ``bigsmall``: one town of 60 villages beside twenty towns of 1-3, all independent;
- ``manytowns``: 24 independent towns of 2-4 villages;
- ``fewtied``: eight towns of 10-14 villages tied only by five district-wide people;
- ``singletons``: 3,000 one-group towns of one need each (thousands of one-need components);
- ``onecomp``: a town whose people and resources mostly reach the whole town (one component);
- ``flattown``, ``flatvillages``: the town with every cell folded into the town cell, or into its
  villages (a town that keeps no branches or groups: everyone in a cell is equally near);
- ``nores`` (no resources), ``noskills`` (nobody holds a skill), ``noleaders`` (nobody may
  lead), ``bigteams`` (teams of 8-40), ``longperiod`` (a two-year period, needs' windows of
  1-3 days), ``pinned`` (150 pins and 400 forbids), ``empty`` (cells only).

``--set KEY=VALUE`` overrides any field of a scale (e.g. ``--set towns=30``).

Reach: ~5% of people and ~12% of resources reach their whole TOWN, ~20% their VILLAGE, the rest
their BRANCH or GROUP. Party members are ~63% of people. Needs, people and resources carry the eight
categories, skills, hours, availability windows and need windows in May-June 2026, households (a few
needs share a household with a person of their group: conflict of interest), priorities 1-100 skewed
low, teams of 0-4 and 0-2 requested resource items. Resources are scarce on purpose, so not every
need fits. A few pins (each to an eligible person of the need's own group) and forbids are added.

The same ``(scale, seed)`` always gives the same instance (``random.Random`` seeded with a string).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import random
import sys
from dataclasses import dataclass
from typing import Any

from sandan.matching.instance import CATEGORIES as CONTRACT_CATEGORIES

CATEGORIES = list(CONTRACT_CATEGORIES)
# How often residents raise each kind of matter (daily life and environment dominate).
CATEGORY_WEIGHTS = [8, 10, 16, 12, 7, 30, 11, 6]

KINDS = ["VENUE", "FACILITY", "EQUIPMENT", "VEHICLE", "FUNDS", "MATERIAL", "SERVICE", "OTHER"]

# Resource kinds a need of each category tends to ask for.
CATEGORY_KINDS: dict[str, list[str]] = {
    "SPACE": ["VENUE", "FACILITY", "MATERIAL"],
    "SAFETY": ["EQUIPMENT", "FACILITY", "SERVICE"],
    "ENVIRONMENT": ["EQUIPMENT", "MATERIAL", "VEHICLE"],
    "CULTURE_SPORTS": ["VENUE", "EQUIPMENT", "FUNDS"],
    "POLICY": ["VENUE", "MATERIAL", "SERVICE"],
    "DAILY_LIFE": ["SERVICE", "VEHICLE", "FUNDS", "MATERIAL"],
    "DISPUTE": ["VENUE", "SERVICE"],
    "OTHER": ["OTHER", "VEHICLE", "FUNDS"],
}

# Skills a need of each category may require.
CATEGORY_SKILLS: dict[str, list[str]] = {
    "SPACE": ["carpentry", "masonry", "planning"],
    "SAFETY": ["electrician", "first_aid", "fire_safety"],
    "ENVIRONMENT": ["gardening", "sanitation", "driving"],
    "CULTURE_SPORTS": ["sports_coaching", "performing_arts", "tutoring"],
    "POLICY": ["computer", "legal", "public_speaking"],
    "DAILY_LIFE": ["nursing", "cooking", "electrician", "plumbing", "tutoring", "elder_care"],
    "DISPUTE": ["legal", "mediation", "counselling"],
    "OTHER": ["driving", "computer", "accounting"],
}

# Skills people hold, with how common they are (legal and nursing are rare).
SKILLS = [
    "cooking",
    "driving",
    "computer",
    "gardening",
    "tutoring",
    "first_aid",
    "elder_care",
    "sanitation",
    "public_speaking",
    "performing_arts",
    "sports_coaching",
    "plumbing",
    "carpentry",
    "electrician",
    "mediation",
    "accounting",
    "counselling",
    "masonry",
    "fire_safety",
    "planning",
    "nursing",
    "legal",
]
SKILL_WEIGHTS = [14, 12, 12, 10, 9, 8, 8, 7, 7, 6, 6, 5, 5, 5, 5, 4, 4, 3, 3, 3, 3, 2]

# Units a resource of each kind holds: (low, high) inclusive.
KIND_CAPACITY: dict[str, tuple[int, int]] = {
    "VENUE": (1, 3),
    "FACILITY": (1, 3),
    "EQUIPMENT": (1, 4),
    "VEHICLE": (1, 3),
    "FUNDS": (2, 8),
    "MATERIAL": (2, 6),
    "SERVICE": (1, 3),
    "OTHER": (1, 3),
}
KIND_WEIGHTS = [14, 10, 16, 11, 12, 14, 18, 6]

PERIOD_START = dt.date(2026, 5, 1)
PERIOD_DAYS = 61  # 1 May - 30 June 2026


def _dates(days: int) -> list[str]:
    return [(PERIOD_START + dt.timedelta(days=d)).isoformat() for d in range(days)]


@dataclass(frozen=True)
class Scale:
    towns: int  # 0 = a single town without a district cell above it
    villages: tuple[int, int]  # per town
    needs: float  # mean per village
    people: float
    resources: float
    pins: int  # per town
    forbids: int  # per town
    exact: bool = False  # village counts exactly the means (no per-village variation)
    branches: tuple[int, int] = (5, 9)
    groups: tuple[int, int] = (2, 3)
    district_wide: bool = True  # district-wide resources tie the towns together
    lead: float = 0.9  # share of needs that want a lead
    # Parameters of the robustness shapes (benchmarks/shapes_sweep.py); the defaults give the
    # shapes above, draw for draw.
    town_villages: tuple[tuple[int, int], ...] = ()  # per-town village ranges (overrides both)
    district_people: int = 0  # district-wide people (reach null, at the DISTRICT cell)
    party: float = 0.63  # share of people who are party members
    person_skills: bool = True  # False: nobody holds a skill (needs still ask for them)
    volunteers: tuple[int, int] | None = None  # team sizes drawn from this range instead
    period_days: int = PERIOD_DAYS  # the run's period (windows fall inside it)
    need_window: tuple[int, int] = (7, 45)  # length of a need's window, days
    need_window_null: float = 0.5  # share of needs without a window
    wide_reach: float = 0.05  # share of people (and twice that of resources) reaching the town
    # "TOWN" or "VILLAGE": every cell below that level folded into its ancestor there, with the
    # people, resources and needs in it (a town or its villages that keep no branches or groups).
    flatten: str | None = None


# One town of 60 villages beside twenty of 1-3 (the "bigsmall" shape).
BIG_SMALL = ((60, 60),) + ((1, 3),) * 20

SCALES: dict[str, Scale] = {
    "tiny": Scale(0, (1, 1), 4, 14, 6, 1, 1, exact=True, branches=(2, 2), groups=(1, 2)),
    "village": Scale(0, (1, 1), 60, 180, 25, 2, 2, exact=True),
    "town": Scale(0, (33, 33), 70, 194, 29, 8, 8),
    "district": Scale(8, (34, 38), 73, 202, 29, 8, 8),
    "towns": Scale(8, (34, 38), 73, 202, 29, 8, 8, district_wide=False),
    "villages": Scale(
        60, (1, 1), 14, 40, 6, 1, 1, branches=(2, 3), groups=(1, 2), district_wide=False
    ),
    "bigvillage": Scale(0, (1, 1), 600, 1800, 250, 8, 8, exact=True, branches=(25, 25)),
    "scarce": Scale(0, (33, 33), 70, 194, 10, 8, 8),
    "noleads": Scale(0, (33, 33), 70, 194, 29, 8, 8, lead=0.0),
    # Robustness shapes (benchmarks/shapes_sweep.py): what real instances may look like besides.
    "bigsmall": Scale(0, (1, 1), 73, 202, 29, 8, 8, district_wide=False, town_villages=BIG_SMALL),
    "manytowns": Scale(24, (2, 4), 73, 202, 29, 2, 2, district_wide=False),
    "fewtied": Scale(8, (10, 14), 73, 202, 29, 8, 8, district_wide=False, district_people=5),
    "singletons": Scale(
        3000, (1, 1), 1, 3, 1, 0, 0, exact=True, branches=(1, 1), groups=(1, 1), district_wide=False
    ),
    "onecomp": Scale(0, (33, 33), 70, 194, 29, 8, 8, wide_reach=0.6),
    "nores": Scale(0, (33, 33), 70, 194, 0, 8, 8),
    "noskills": Scale(0, (33, 33), 70, 194, 29, 8, 8, person_skills=False),
    "noleaders": Scale(0, (33, 33), 70, 194, 29, 0, 0, party=0.0),
    "bigteams": Scale(0, (12, 12), 70, 194, 29, 4, 4, volunteers=(8, 40)),
    "longperiod": Scale(
        0, (33, 33), 70, 194, 29, 8, 8, period_days=730, need_window=(1, 3), need_window_null=0.0
    ),
    "pinned": Scale(0, (33, 33), 70, 194, 29, 150, 400),
    "empty": Scale(0, (1, 1), 0, 0, 0, 0, 0, exact=True),
    "flattown": Scale(0, (33, 33), 70, 194, 29, 8, 8, flatten="TOWN"),
    "flatvillages": Scale(0, (33, 33), 70, 194, 29, 8, 8, flatten="VILLAGE"),
}


class _Generator:
    def __init__(self, scale_name: str, seed: int) -> None:
        if scale_name not in SCALES:
            raise ValueError(f"unknown scale {scale_name!r}; expected one of {sorted(SCALES)}")
        self.scale_name = scale_name
        self.scale = SCALES[scale_name]
        self.seed = seed
        self.rng = random.Random(f"sandan-matching:{scale_name}:{seed}")
        self.cells: list[dict[str, Any]] = []
        self.people: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.needs: list[dict[str, Any]] = []
        self.pins: list[dict[str, Any]] = []
        self.forbid: list[dict[str, Any]] = []
        self.household_seq = 0
        self.dates = _dates(self.scale.period_days)

    # ------------------------------------------------------------------ helpers
    def household(self) -> str:
        self.household_seq += 1
        return f"h{self.household_seq}"

    def window(self, p_null: float, min_len: int, max_len: int) -> list[str] | None:
        rng = self.rng
        if rng.random() < p_null:
            return None
        length = rng.randint(min_len, max_len)
        days = len(self.dates)
        start = rng.randint(0, days - 1)
        end = min(days - 1, start + length - 1)
        return [self.dates[start], self.dates[end]]

    def count(self, mean: float) -> int:
        if mean <= 0:
            return 0
        if self.scale.exact:
            return round(mean)
        return max(1, round(mean * self.rng.uniform(0.7, 1.3)))

    # ------------------------------------------------------------------ build
    def build(self) -> dict[str, Any]:
        sc = self.scale
        if sc.towns or sc.town_villages:
            self.cells.append({"id": "D", "parent": None, "level": "DISTRICT"})
            ranges = sc.town_villages or (sc.villages,) * sc.towns
            for t, villages in enumerate(ranges, start=1):
                self.build_town(f"T{t}", "D", villages)
            if sc.district_wide:
                self.district_resources()
            for _ in range(sc.district_people):
                self.person("D", None)
        else:
            self.build_town("T1", None, sc.villages)
        if sc.flatten is not None:
            self.fold(sc.flatten)
        return {
            "version": 1,
            "meta": {
                "generator": "benchmarks/gen_matching.py",
                "scale": self.scale_name,
                "seed": self.seed,
            },
            "cells": self.cells,
            "people": self.people,
            "resources": self.resources,
            "needs": self.needs,
            "pins": self.pins,
            "forbid": self.forbid,
        }

    def fold(self, level: str) -> None:
        """Move everything below `level` into its ancestor at `level` and drop the cells below."""
        parent = {c["id"]: c["parent"] for c in self.cells}
        levels = {c["id"]: c["level"] for c in self.cells}
        order = ["DISTRICT", "TOWN", "VILLAGE", "BRANCH", "GROUP"]

        def top(cell: str) -> str:
            while order.index(levels[cell]) > order.index(level):
                cell = parent[cell]
            return cell

        for rows in (self.people, self.resources, self.needs):
            for row in rows:
                row["cell"] = top(row["cell"])
        self.cells = [c for c in self.cells if order.index(c["level"]) <= order.index(level)]

    def build_town(self, town: str, parent: str | None, villages: tuple[int, int]) -> None:
        rng = self.rng
        sc = self.scale
        self.cells.append({"id": town, "parent": parent, "level": "TOWN"})
        n_villages = rng.randint(*villages)
        w = sc.wide_reach
        # Reach thresholds (town, village, branch) of people and of resources.
        p_lim = (0.05, 0.25, 0.65) if w == 0.05 else (w, min(1.0, w + 0.2), min(1.0, w + 0.6))
        r_lim = (
            (0.12, 0.32, 0.86)
            if w == 0.05
            else (min(1.0, 2.4 * w), min(1.0, 2.4 * w + 0.2), min(1.0, 2.4 * w + 0.74))
        )
        # Per village: (village id, [(branch id, [group ids])]).
        town_people: list[dict[str, Any]] = []
        town_needs: list[dict[str, Any]] = []
        town_groups: dict[str, list[dict[str, Any]]] = {}  # group id -> its people
        for v in range(1, n_villages + 1):
            vid = f"{town}-V{v:02d}"
            self.cells.append({"id": vid, "parent": town, "level": "VILLAGE"})
            branches: list[tuple[str, list[str]]] = []
            for b in range(1, rng.randint(*sc.branches) + 1):
                bid = f"{vid}-B{b}"
                self.cells.append({"id": bid, "parent": vid, "level": "BRANCH"})
                groups = []
                for g in range(1, rng.randint(*sc.groups) + 1):
                    gid = f"{bid}-G{g}"
                    self.cells.append({"id": gid, "parent": bid, "level": "GROUP"})
                    groups.append(gid)
                    town_groups[gid] = []
                branches.append((bid, groups))

            # People: 5% town-wide, 20% village-wide, the rest their branch or group.
            for _ in range(self.count(sc.people)):
                r = rng.random()
                bid, groups = rng.choice(branches)
                gid = rng.choice(groups)
                if r < p_lim[0]:
                    reach = "TOWN"
                    # In-service members of town agencies report to the town; others live here.
                    cell = town if rng.random() < 0.4 else gid
                elif r < p_lim[1]:
                    reach = "VILLAGE"
                    cell = vid if rng.random() < 0.3 else gid
                elif r < p_lim[2]:
                    reach = "BRANCH"
                    cell = bid if rng.random() < 0.15 else gid
                else:
                    reach = "GROUP"
                    cell = gid
                person = self.person(cell, reach)
                town_people.append(person)
                if cell == gid:
                    town_groups[gid].append(person)

            # Resources: 12% town-wide (in the town cell), 20% village-wide, rest branch/group.
            for _ in range(self.count(sc.resources)):
                r = rng.random()
                bid, groups = rng.choice(branches)
                if r < r_lim[0]:
                    reach, cell = "TOWN", town
                elif r < r_lim[1]:
                    reach, cell = "VILLAGE", vid
                elif r < r_lim[2]:
                    reach, cell = "BRANCH", bid
                else:
                    reach, cell = "GROUP", rng.choice(groups)
                self.resources.append(self.resource(cell, reach))

            # Needs: mostly raised in groups (household visits), some branch or village matters.
            for _ in range(self.count(sc.needs)):
                r = rng.random()
                bid, groups = rng.choice(branches)
                if r < 0.74:
                    cell = rng.choice(groups)
                elif r < 0.93:
                    cell = bid
                else:
                    cell = vid
                need = self.need(cell, level_rank={vid: 1, bid: 2}.get(cell, 3))
                town_needs.append(need)
                # A few needs come from the household of a person of their group.
                members = town_groups.get(cell)
                if members and rng.random() < 0.03:
                    host = rng.choice(members)
                    if host["household"] is None:
                        host["household"] = self.household()
                    need["household"] = host["household"]

        self.add_pins_and_forbids(town_needs, town_groups)

    def person(self, cell: str, reach: str | None) -> dict[str, Any]:
        rng = self.rng
        pid = f"p{len(self.people) + 1}"
        party = rng.random() < self.scale.party
        if party:
            max_lead = rng.choices([0, 1, 2, 3], [22, 48, 24, 6])[0]
        else:
            max_lead = 1 if rng.random() < 0.03 else 0  # stale data: may not lead anyway
        n_skills = rng.choices([0, 1, 2, 3], [42, 36, 17, 5])[0]
        skills = sorted(set(rng.choices(SKILLS, SKILL_WEIGHTS, k=n_skills)))
        if not self.scale.person_skills:
            skills = []
        if rng.random() < 0.6:
            categories: list[str] = []
        else:
            categories = sorted(set(rng.choices(CATEGORIES, CATEGORY_WEIGHTS, k=rng.randint(1, 3))))
        # Households: most people have one; some share it with the person before (couples).
        if self.people and rng.random() < 0.08 and self.people[-1]["cell"] == cell:
            household: str | None = self.people[-1]["household"]
        else:
            household = self.household() if rng.random() < 0.85 else None
        person: dict[str, Any] = {
            "id": pid,
            "cell": cell,
            "party_member": party,
            "skills": skills,
            "categories": categories,
            "hours": rng.choice([4, 6, 8, 8, 10, 12, 12, 16, 16, 20, 24, 32, 40]),
            "max_deeds": rng.choices([1, 2, 3, 4], [40, 35, 18, 7])[0],
            "max_lead": max_lead,
            "reach": reach,
            "available": self.window(0.65, 10, 50),
            "household": household,
        }
        self.people.append(person)
        return person

    def resource(self, cell: str, reach: str | None) -> dict[str, Any]:
        rng = self.rng
        kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
        if rng.random() < 0.55:
            categories: list[str] = []
        else:
            good_for = [c for c in CATEGORIES if kind in CATEGORY_KINDS[c]] or CATEGORIES
            categories = sorted(set(rng.choices(good_for, k=rng.randint(1, 2))))
        lo, hi = KIND_CAPACITY[kind]
        res: dict[str, Any] = {
            "id": f"r{len(self.resources) + 1}",
            "cell": cell,
            "reach": reach,
            "kind": kind,
            "categories": categories,
            "capacity": rng.randint(lo, hi),
            "available": self.window(0.7, 14, 61),
        }
        return res

    def need(self, cell: str, level_rank: int) -> dict[str, Any]:
        rng = self.rng
        category = rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
        # Priority skewed low: most matters are ordinary, a few urgent ones score high.
        priority = 1 + int(99 * rng.betavariate(1.6, 3.2))
        if level_rank == 1:  # village-level matters are bigger and more important
            priority = min(100, priority + rng.randint(5, 25))
        volunteers = rng.choices([0, 1, 2, 3, 4], [14, 30, 30, 16, 10])[0]
        if level_rank < 3 and volunteers < 4 and rng.random() < 0.4:
            volunteers += 1
        if self.scale.volunteers is not None:
            volunteers = rng.randint(*self.scale.volunteers)
        skills: list[str] = []
        if volunteers:
            n_skills = rng.choices([0, 1, 2], [62, 32, 6])[0]
            skills = sorted(set(rng.sample(CATEGORY_SKILLS[category], k=min(n_skills, volunteers))))
        n_items = rng.choices([0, 1, 2], [38, 47, 15])[0]
        kinds = rng.sample(CATEGORY_KINDS[category], k=min(n_items, len(CATEGORY_KINDS[category])))
        items = [
            {
                "kind": k,
                "quantity": rng.choices([1, 2, 3], [68, 24, 8])[0] * (2 if k == "FUNDS" else 1),
            }
            for k in kinds
        ]
        need: dict[str, Any] = {
            "id": f"n{len(self.needs) + 1}",
            "cell": cell,
            "category": category,
            "priority": priority,
            "lead": rng.random() < self.scale.lead,
            "volunteers": volunteers,
            "hours": rng.choice([2, 2, 3, 4, 4, 4, 6, 6, 8, 8, 12, 16]),
            "skills": skills,
            "resources": items,
            "window": self.window(self.scale.need_window_null, *self.scale.need_window),
            "household": self.household() if level_rank == 3 and rng.random() < 0.8 else None,
        }
        self.needs.append(need)
        return need

    def district_resources(self) -> None:
        """District agencies' resources, open to every town (reach null): they couple the towns."""
        rng = self.rng
        for _ in range(12):
            res = self.resource("D", None)
            res["kind"] = rng.choice(["VEHICLE", "FUNDS", "SERVICE", "EQUIPMENT"])
            lo, hi = KIND_CAPACITY[res["kind"]]
            res["capacity"] = rng.randint(lo, hi) * 2
            res["categories"] = []
            self.resources.append(res)

    # ------------------------------------------------------------------ pins
    def add_pins_and_forbids(
        self, needs: list[dict[str, Any]], groups: dict[str, list[dict[str, Any]]]
    ) -> None:
        """Pin a few simple needs (no skills, no resources) to an eligible person of their group;
        forbid a few person-need pairs that would otherwise be eligible. Pinned people are distinct
        and each pinned need is left with enough other eligible people for its team."""
        rng = self.rng
        used_people: set[str] = set()
        pinned_needs: set[str] = set()
        candidates = [n for n in needs if n["cell"] in groups]
        rng.shuffle(candidates)
        n_pins = 0
        for need in candidates:
            if n_pins >= self.scale.pins:
                break
            if need["skills"] or need["resources"]:
                continue
            elig = [
                p
                for p in groups[need["cell"]]
                if p["id"] not in used_people and _eligible(p, need) and p["hours"] >= need["hours"]
            ]
            leaders = [p for p in elig if p["party_member"] and p["max_lead"] >= 1]
            role = "LEAD" if need["lead"] else "TEAM"
            pool = leaders if role == "LEAD" else elig
            if not pool or len(elig) < need["volunteers"] + (1 if need["lead"] else 0) + 1:
                continue
            if role == "TEAM" and need["volunteers"] == 0:
                continue
            chosen = rng.choice(pool)
            self.pins.append({"need": need["id"], "person": chosen["id"], "role": role})
            used_people.add(chosen["id"])
            pinned_needs.add(need["id"])
            n_pins += 1
        n_forbids = 0
        for need in candidates[::-1]:
            if n_forbids >= self.scale.forbids:
                break
            if need["id"] in pinned_needs:
                continue
            elig = [
                p for p in groups[need["cell"]] if p["id"] not in used_people and _eligible(p, need)
            ]
            if not elig:
                continue
            chosen = rng.choice(elig)
            self.forbid.append({"need": need["id"], "person": chosen["id"]})
            n_forbids += 1


def _eligible(person: dict[str, Any], need: dict[str, Any]) -> bool:
    """Category, time and household checks for a person of the need's own group (reach holds)."""
    cats = person["categories"]
    if cats and need["category"] not in cats:
        return False
    a, w = person["available"], need["window"]
    if a is not None and w is not None and (a[1] < w[0] or w[1] < a[0]):
        return False
    return not (need["household"] is not None and person["household"] == need["household"])


def generate(scale: str, seed: int, **overrides: Any) -> dict[str, Any]:
    """A matching instance (contract version 1) of ``scale``; deterministic in (scale, seed,
    overrides). `overrides` replace fields of the scale (e.g. ``towns=30, needs=20``)."""
    gen = _Generator(scale, seed)
    if overrides:
        gen.scale = dataclasses.replace(gen.scale, **overrides)
        gen.dates = _dates(gen.scale.period_days)
    return gen.build()


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs (VALUE as JSON; lists become tuples) for `generate`'s overrides."""
    fields = {f.name for f in dataclasses.fields(Scale)}
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or key not in fields:
            raise ValueError(f"bad --set {item!r}: expected KEY=VALUE, KEY one of {sorted(fields)}")
        parsed = json.loads(value)
        if isinstance(parsed, list):
            parsed = tuple(tuple(x) if isinstance(x, list) else x for x in parsed)
        out[key] = parsed
    return out


def summary(instance: dict[str, Any]) -> str:
    needs, people, res = instance["needs"], instance["people"], instance["resources"]
    demand: dict[str, int] = {}
    for n in needs:
        for item in n["resources"]:
            demand[item["kind"]] = demand.get(item["kind"], 0) + item["quantity"]
    supply: dict[str, int] = {}
    for r in res:
        supply[r["kind"]] = supply.get(r["kind"], 0) + r["capacity"]
    leads_needed = sum(1 for n in needs if n["lead"])
    leads_offered = sum(p["max_lead"] for p in people if p["party_member"])
    slots = sum(n["volunteers"] for n in needs)
    slots_offered = sum(p["max_deeds"] for p in people)
    hours = sum(n["volunteers"] * n["hours"] for n in needs)
    hours_offered = sum(p["hours"] for p in people)
    kinds = ", ".join(f"{k} {demand.get(k, 0)}/{supply.get(k, 0)}" for k in KINDS)
    return (
        f"cells {len(instance['cells'])}, needs {len(needs)}, people {len(people)}, "
        f"resources {len(res)}, pins {len(instance['pins'])}, forbid {len(instance['forbid'])}\n"
        f"leads {leads_needed}/{leads_offered}, team slots {slots}/{slots_offered}, "
        f"team hours {hours}/{hours_offered}\nresource units demanded/offered: {kinds}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("scale", choices=sorted(SCALES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", help="write here instead of stdout")
    parser.add_argument("--indent", type=int, default=None, help="pretty-print the JSON")
    parser.add_argument("--stats", action="store_true", help="print a summary to stderr")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a field of the scale, VALUE as JSON (e.g. --set towns=30 "
        "--set 'villages=[1,2]'); see Scale",
    )
    args = parser.parse_args(argv)
    try:
        overrides = parse_overrides(args.set)
    except (ValueError, json.JSONDecodeError) as exc:
        parser.error(str(exc))
    instance = generate(args.scale, args.seed, **overrides)
    seps = (",", ":") if args.indent is None else (",", ": ")
    text = json.dumps(instance, indent=args.indent, separators=seps, ensure_ascii=False)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.write("\n")
    else:
        sys.stdout.write(text + "\n")
    if args.stats:
        print(summary(instance), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
