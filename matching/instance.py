"""The matching instance: validated, index-based dataclasses built from the contract's JSON.

`parse_instance` checks every entry against the contract (matching.md, version 1) and either
returns an `Instance` whose cross references are list indices, or raises `InstanceError` carrying
*all* the problems found (each naming its JSON path and the offending entry's id), so a user can
fix a file in one pass instead of one error at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .fields import (
    ALL_CATEGORIES,
    CATEGORIES,
    CATEGORY_INDEX,
    DATE_MAX,
    DATE_MIN,
    KIND_INDEX,
    KINDS,
    LEVEL_RANK,
    LEVELS,
    N_KINDS,
    PRIORITY_MAX,
    ROLES,
    Checker,
)

__all__ = [
    "ALL_CATEGORIES",
    "CATEGORIES",
    "CATEGORY_INDEX",
    "DATE_MAX",
    "DATE_MIN",
    "KINDS",
    "KIND_INDEX",
    "LEVELS",
    "LEVEL_RANK",
    "N_KINDS",
    "ROLES",
    "Cell",
    "Instance",
    "InstanceError",
    "Need",
    "Person",
    "Pin",
    "ReplayError",
    "Resource",
    "parse_instance",
]


@dataclass(frozen=True)
class Cell:
    id: str
    parent: int  # -1 for a root
    level: int  # index into LEVELS


@dataclass(frozen=True)
class Person:
    id: str
    cell: int
    party_member: bool
    skills: frozenset[str]
    categories: int  # bit mask over CATEGORIES; ALL_CATEGORIES when the list is empty
    hours: float
    max_deeds: int
    max_lead: int
    reach: int  # level index, -1 = whole tree
    available: tuple[int, int]
    household: str | None


@dataclass(frozen=True)
class Resource:
    id: str
    cell: int
    reach: int
    kind: int
    categories: int
    capacity: int
    available: tuple[int, int]


@dataclass(frozen=True)
class Need:
    id: str
    cell: int
    category: int
    priority: int
    lead: bool
    volunteers: int
    hours: float
    skills: tuple[str, ...]
    # Requested units per kind; items of the same kind are merged because a deed lists resources,
    # not items, so two items of one kind cannot be told apart in a solution anyway.
    items: tuple[tuple[int, int], ...]
    window: tuple[int, int]
    household: str | None


@dataclass(frozen=True)
class Pin:
    need: int
    person: int
    role: str  # "LEAD" or "TEAM"


@dataclass
class Instance:
    cells: list[Cell]
    people: list[Person]
    resources: list[Resource]
    needs: list[Need]
    pins: list[Pin] = field(default_factory=list)
    forbid: set[tuple[int, int]] = field(default_factory=set)  # (need, person)


class InstanceError(ValueError):
    """The instance breaks the contract; `errors` lists every problem as {path, entry, message}."""

    def __init__(self, errors: list[dict[str, str | None]]) -> None:
        self.errors = errors
        first = errors[0]["message"] if errors else "invalid instance"
        super().__init__(f"{len(errors)} error(s) in instance; first: {first}")


class ReplayError(ValueError):
    """A work record to replay does not fit the instance (another instance's, or edited)."""


def _index(
    ck: Checker, entries: list[Any], name: str
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Id -> position; non-object entries and duplicate ids are errors."""
    rows: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for i, e in enumerate(entries):
        path = f"{name}[{i}]"
        if not isinstance(e, dict):
            ck.err(path, None, f"{name} entries must be objects")
            rows.append({})
            continue
        rows.append(e)
        eid = ck.ident(e, path)
        if eid is None:
            continue
        if eid in index:
            ck.err(f"{path}.id", eid, f"duplicate id {eid!r} in {name}")
        else:
            index[eid] = i
    return rows, index


def _eid(row: dict[str, Any]) -> str | None:
    v = row.get("id")
    return v if isinstance(v, str) else None


def parse_instance(d: Any) -> Instance:
    """Validate a parsed instance JSON document; raise `InstanceError` listing every problem."""
    ck = Checker()
    if not isinstance(d, dict):
        raise InstanceError([{"path": "", "entry": None, "message": "instance must be an object"}])
    version = d.get("version", 1)
    if version != 1 or isinstance(version, bool):
        ck.err("version", None, f"unsupported version {version!r}; expected 1")

    cell_rows, cell_ix = _index(ck, ck.list_of(d, "cells", ""), "cells")
    person_rows, person_ix = _index(ck, ck.list_of(d, "people", ""), "people")
    res_rows, _ = _index(ck, ck.list_of(d, "resources", ""), "resources")
    need_rows, need_ix = _index(ck, ck.list_of(d, "needs", ""), "needs")

    cells: list[Cell] = []
    for i, row in enumerate(cell_rows):
        path, eid = f"cells[{i}]", _eid(row)
        parent = -1
        if row.get("parent") is not None:
            parent = ck.ref(row, "parent", cell_ix, path, eid)
        cells.append(Cell(eid or "", parent, ck.level(row, "level", path, eid, null_ok=False)))
    _check_forest(ck, cells)

    people: list[Person] = []
    for i, row in enumerate(person_rows):
        path, eid = f"people[{i}]", _eid(row)
        people.append(
            Person(
                id=eid or "",
                cell=ck.ref(row, "cell", cell_ix, path, eid),
                party_member=ck.boolean(row, "party_member", False, path, eid),
                skills=frozenset(ck.strings(row, "skills", path, eid)),
                categories=ck.categories(row, path, eid),
                hours=ck.number(row, "hours", path, eid),
                max_deeds=ck.integer(row, "max_deeds", 1, path, eid, 0),
                max_lead=ck.integer(row, "max_lead", 0, path, eid, 0),
                reach=ck.level(row, "reach", path, eid, null_ok=True),
                available=ck.interval(row, "available", path, eid),
                household=ck.opt_str(row, "household", path, eid),
            )
        )

    resources: list[Resource] = []
    for i, row in enumerate(res_rows):
        path, eid = f"resources[{i}]", _eid(row)
        kind = row.get("kind")
        if not isinstance(kind, str) or kind not in KIND_INDEX:
            ck.err(f"{path}.kind", eid, f"unknown kind {kind!r}; expected one of {list(KINDS)}")
        resources.append(
            Resource(
                id=eid or "",
                cell=ck.ref(row, "cell", cell_ix, path, eid),
                reach=ck.level(row, "reach", path, eid, null_ok=True),
                kind=KIND_INDEX.get(kind, 0) if isinstance(kind, str) else 0,
                categories=ck.categories(row, path, eid),
                capacity=ck.integer(row, "capacity", 0, path, eid, 0),
                available=ck.interval(row, "available", path, eid),
            )
        )

    needs = [_parse_need(ck, row, i, cell_ix) for i, row in enumerate(need_rows)]

    pins: list[Pin] = []
    for path, row, eid, n, p in _need_person_rows(ck, d, "pins", need_ix, person_ix):
        role = row.get("role")
        if role not in ROLES:
            ck.err(f"{path}.role", eid, f"unknown role {role!r}; expected LEAD or TEAM")
        elif n >= 0 and p >= 0:
            pins.append(Pin(n, p, str(role)))
    forbid: set[tuple[int, int]] = set()
    for _, _, _, n, p in _need_person_rows(ck, d, "forbid", need_ix, person_ix):
        if n >= 0 and p >= 0:
            forbid.add((n, p))

    if ck.errors:
        raise InstanceError(ck.errors)
    return Instance(cells, people, resources, needs, pins, forbid)


def _need_person_rows(
    ck: Checker,
    d: dict[str, Any],
    key: str,
    need_ix: dict[str, int],
    person_ix: dict[str, int],
) -> Iterator[tuple[str, dict[str, Any], str | None, int, int]]:
    """The entries of a list of (need, person) rows (`pins`, `forbid`), each with its path, the
    need's id that its errors name, and the need's and person's indices (-1 when unknown)."""
    for i, row in enumerate(ck.list_of(d, key, "")):
        path = f"{key}[{i}]"
        if not isinstance(row, dict):
            ck.err(path, None, f"{key} entries must be objects")
            continue
        # Pins and forbids have no id of their own: errors name the need they are about.
        eid = row.get("need") if isinstance(row.get("need"), str) else None
        n = ck.ref(row, "need", need_ix, path, eid)
        p = ck.ref(row, "person", person_ix, path, eid)
        yield path, row, eid, n, p


def _parse_need(ck: Checker, row: dict[str, Any], i: int, cell_ix: dict[str, int]) -> Need:
    path, eid = f"needs[{i}]", _eid(row)
    cat = row.get("category")
    if not isinstance(cat, str) or cat not in CATEGORY_INDEX:
        ck.err(f"{path}.category", eid, f"unknown category {cat!r}")
    items: dict[int, int] = {}
    for j, item in enumerate(ck.list_of(row, "resources", path)):
        ipath = f"{path}.resources[{j}]"
        if not isinstance(item, dict):
            ck.err(ipath, eid, "a requested resource must be an object {kind, quantity}")
            continue
        kind = item.get("kind")
        if not isinstance(kind, str) or kind not in KIND_INDEX:
            ck.err(f"{ipath}.kind", eid, f"unknown kind {kind!r}")
            continue
        q = ck.integer(item, "quantity", 1, ipath, eid, 0)
        if q > 0:
            items[KIND_INDEX[kind]] = items.get(KIND_INDEX[kind], 0) + q
    # Sorted so that the representation (and every model built from it) is deterministic.
    skills = tuple(sorted(set(ck.strings(row, "skills", path, eid))))
    return Need(
        id=eid or "",
        cell=ck.ref(row, "cell", cell_ix, path, eid),
        category=CATEGORY_INDEX.get(cat, 0) if isinstance(cat, str) else 0,
        priority=ck.integer(row, "priority", None, path, eid, 1, PRIORITY_MAX),
        lead=ck.boolean(row, "lead", True, path, eid),
        volunteers=ck.integer(row, "volunteers", 0, path, eid, 0),
        hours=ck.number(row, "hours", path, eid),
        skills=skills,
        items=tuple(sorted(items.items())),
        window=ck.interval(row, "window", path, eid),
        household=ck.opt_str(row, "household", path, eid),
    )


def _check_forest(ck: Checker, cells: list[Cell]) -> None:
    """Parents must form a forest (no cycles) and each level must be strictly below its parent's."""
    state = [0] * len(cells)  # 0 unseen, 1 on the current path, 2 done
    for start in range(len(cells)):
        path: list[int] = []
        c = start
        while c >= 0 and state[c] == 0:
            state[c] = 1
            path.append(c)
            c = cells[c].parent
        if c >= 0 and state[c] == 1:
            ck.err(f"cells[{c}].parent", cells[c].id, f"cell {cells[c].id!r} is on a parent cycle")
        for x in path:
            state[x] = 2
    for i, cell in enumerate(cells):
        up = cell.parent
        if up >= 0 and cell.level >= 0 and cells[up].level >= 0 and cell.level <= cells[up].level:
            ck.err(
                f"cells[{i}].level",
                cell.id,
                f"level {LEVELS[cell.level]} is not strictly below its parent's "
                f"({LEVELS[cells[up].level]})",
            )
