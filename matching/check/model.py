"""The checker's own reading of an instance (contract version 1), independent of the solver's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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

Interval = tuple[dt.date, dt.date]


@dataclass
class Cell:
    id: str
    parent: str | None
    level: str


@dataclass
class Entity:
    """A person or a resource: the fields eligibility needs, plus the capacities."""

    id: str
    cell: str
    reach: str | None
    categories: frozenset[str]
    available: Interval | None
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
class Need:
    id: str
    cell: str
    category: str
    priority: int
    lead: bool
    volunteers: int
    hours: float
    skills: tuple[str, ...]
    items: dict[str, int]
    window: Interval | None
    household: str | None


@dataclass
class Instance:
    cells: dict[str, Cell] = field(default_factory=dict)
    people: dict[str, Entity] = field(default_factory=dict)
    resources: dict[str, Entity] = field(default_factory=dict)
    needs: dict[str, Need] = field(default_factory=dict)
    need_order: list[str] = field(default_factory=list)
    pins: list[tuple[str, str, str]] = field(default_factory=list)
    forbid: set[tuple[str, str]] = field(default_factory=set)
    # derived: for each cell its path to the root, cell first
    paths: dict[str, list[str]] = field(default_factory=dict)
