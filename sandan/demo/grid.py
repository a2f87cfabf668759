"""The grid: 南海区 → towns → villages and communities → branches → household-contact groups."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from sandan.demo import names
from sandan.demo.data import DemoData, Row
from sandan.demo.scales import Scale, allocate

CST = timezone(timedelta(hours=8))
# Every timestamp is fixed: the grid was set up before the 2026 round of the three lists.
# Timestamps are stored in UTC: SQLite drops the offset, and the database's own defaults are UTC.
GRID_CREATED = datetime(2026, 3, 1, 9, 0, tzinfo=CST).astimezone(UTC)

LEVELS = ("DISTRICT", "TOWN", "VILLAGE", "BRANCH", "GROUP")


@dataclass(eq=False, slots=True)
class Node:
    """A cell while generating; `row` is the dict that goes into DemoData.cells."""

    row: Row
    parent: Node | None
    children: list[Node] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.row["id"])

    @property
    def name(self) -> str:
        return str(self.row["name"])

    @property
    def level(self) -> str:
        return str(self.row["level"])

    @property
    def path(self) -> str:
        return str(self.row["path"])

    def ancestor(self, level: str) -> Node:
        """The ancestor at `level`, or self when self is at or above it."""
        node = self
        while LEVELS.index(node.level) > LEVELS.index(level):
            assert node.parent is not None
            node = node.parent
        return node


@dataclass(slots=True)
class Grid:
    district: Node
    towns: list[Node] = field(default_factory=list)
    villages: list[Node] = field(default_factory=list)
    branches: list[Node] = field(default_factory=list)
    groups: list[Node] = field(default_factory=list)


def _cell(data: DemoData, parent: Node | None, code: str, name: str, level: str, kind: str) -> Node:
    cell_id = len(data.cells) + 1
    path = (parent.path if parent else "/") + f"{cell_id}/"
    row: Row = {
        "id": cell_id,
        "code": code,
        "name": name,
        "level": level,
        "kind": kind,
        "parent_id": parent.id if parent else None,
        "path": path,
        "leader_id": None,
        "created_at": GRID_CREATED,
        "updated_at": GRID_CREATED,
    }
    data.cells.append(row)
    node = Node(row, parent)
    if parent is not None:
        parent.children.append(node)
    return node


def build_grid(rng: random.Random, scale: Scale, data: DemoData) -> Grid:
    grid = Grid(_cell(data, None, "NH", names.DISTRICT_NAME, "DISTRICT", "DISTRICT"))
    n_villages = sum(t[2] for t in scale.towns)
    branch_counts = iter(
        allocate(rng, n_villages, scale.branches_per_village, scale.branches_total)
    )
    # Groups are allocated per branch once the branch count is known.
    villages: list[Node] = []
    for town_name, town_code, village_count, subdistrict in scale.towns:
        kind = "SUBDISTRICT" if subdistrict else "TOWN"
        town = _cell(data, grid.district, f"NH-{town_code}", town_name, "TOWN", kind)
        grid.towns.append(town)
        for v, village_name in enumerate(
            _village_names(rng, town_code, village_count, subdistrict)
        ):
            community = village_name.endswith("社区")
            village = _cell(
                data,
                town,
                f"{town.row['code']}-{v + 1:02d}",
                village_name,
                "VILLAGE",
                "COMMUNITY" if community else "ADMINISTRATIVE_VILLAGE",
            )
            villages.append(village)
            _branches(rng, data, village, next(branch_counts), community)
    grid.villages = villages
    grid.branches = [b for v in villages for b in v.children]
    group_counts = allocate(rng, len(grid.branches), scale.groups_per_branch, scale.groups_total)
    for branch, count in zip(grid.branches, group_counts, strict=True):
        for g in range(count):
            code = f"{branch.row['code']}-{g + 1}"
            grid.groups.append(
                _cell(data, branch, code, names.group_name(g), "GROUP", "CONTACT_GROUP")
            )
    return grid


def _village_names(rng: random.Random, town_code: str, count: int, subdistrict: bool) -> list[str]:
    known = {"JJ": names.JIUJIANG_VILLAGES, "XQ": names.XIQIAO_VILLAGES}.get(town_code, ())
    chosen = list(known[:count])
    taken = set(chosen)
    # A subdistrict (街道) is mostly urban communities; towns are mostly administrative villages.
    community_share = 0.85 if subdistrict else 0.3
    while len(chosen) < count:
        chosen.append(names.generated_village_name(rng, taken, rng.random() < community_share))
    return chosen


def _branches(
    rng: random.Random, data: DemoData, village: Node, count: int, community: bool
) -> None:
    taken: set[str] = set()
    cooperatives = 0
    for b in range(count):
        roll = rng.random()
        if community:
            # Communities have compounds (住宅小区) and, in the old town centres, co-operatives.
            kind = "RESIDENTIAL_COMPOUND" if roll < 0.6 else "ECONOMIC_COOPERATIVE"
        elif roll < 0.45:
            kind = "ECONOMIC_COOPERATIVE"
        elif roll < 0.75:
            kind = "VILLAGER_GROUP"
        elif roll < 0.95:
            kind = "NATURAL_VILLAGE"
        else:
            kind = "RESIDENTIAL_COMPOUND"
        if kind == "ECONOMIC_COOPERATIVE":
            name = f"第{names.CHINESE_NUMERALS[cooperatives]}经济社"
            cooperatives += 1
        else:
            while True:
                if kind == "RESIDENTIAL_COMPOUND":
                    name = names.compound_name(rng, village.name)
                elif kind == "VILLAGER_GROUP":
                    name = names.lane_name(rng) + "村民小组"
                else:
                    name = names.lane_name(rng)
                if name not in taken:
                    break
        taken.add(name)
        code = f"{village.row['code']}-{b + 1:02d}"
        _cell(data, village, code, name, "BRANCH", kind)
