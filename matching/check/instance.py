"""Reads an instance dict into the checker's model, one section at a time, collecting every error.

The contract leaves no default for a resource's ``capacity`` or a requested ``quantity``; like the
solver, a missing capacity reads as 0 and a missing quantity as 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from .fields import FieldReader
from .model import CATEGORIES, KINDS, LEVEL_RANK, ROLES, Cell, Entity, Instance, Need
from .report import Violation

T = TypeVar("T")


def read_instance(data: Any) -> tuple[Instance | None, list[Violation]]:
    """The instance, or None and every ``INVALID_INSTANCE`` violation found."""
    r = FieldReader()
    if not isinstance(data, dict):
        r.err("$", f"the instance must be a JSON object, got {type(data).__name__}")
        return None, r.errors
    version = data.get("version", 1)
    if isinstance(version, bool) or version != 1:
        r.err("version", f"unsupported version {version!r}; expected 1")
    inst = Instance()
    _read_cells(r, data, inst)
    inst.people.update(_read_section(r, data, "people", inst, _person))
    inst.resources.update(_read_section(r, data, "resources", inst, _resource))
    for nid, need in _read_section(r, data, "needs", inst, _need):
        inst.needs[nid] = need
        inst.need_order.append(nid)
    _read_pins_and_forbids(r, data, inst)
    if r.errors:
        return None, r.errors
    return inst, []


def _member(value: Any, allowed: frozenset[str]) -> bool:
    """``value in allowed`` for any JSON value (lists and objects are unhashable)."""
    return isinstance(value, str) and value in allowed


def _read_cells(r: FieldReader, data: dict[str, Any], inst: Instance) -> None:
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
        inst.cells[cid] = Cell(cid, parent, level or "")
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
    _trace_paths(r, inst, {cid: p for cid, (p, _) in raw_parent.items()})


def _trace_paths(r: FieldReader, inst: Instance, cell_path: dict[str, str]) -> None:
    """Each cell's path to its root; a parent chain that loops is an error and is cut."""
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


def _read_section(
    r: FieldReader,
    data: dict[str, Any],
    key: str,
    inst: Instance,
    build: Callable[[FieldReader, dict[str, Any], str, str | None, str], T],
) -> Iterator[tuple[str, T]]:
    """(id, record) of each entry of a section whose entries sit in a cell. Every entry is read,
    so all its errors count; one without a usable id or cell is not kept."""
    seen: set[str] = set()
    for path, obj in r.records(data, key):
        ident = r.ident(obj, path, seen)
        cell = r.cell_ref(obj, path, ident, inst.cells)
        record = build(r, obj, path, ident, cell or "")
        if ident is not None and cell is not None:
            yield ident, record


def _enum(
    r: FieldReader,
    obj: dict[str, Any],
    key: str,
    allowed: frozenset[str],
    path: str,
    ident: str | None,
) -> str:
    """The entry's value of an enum field (a string, or "" for any other JSON value)."""
    value = obj.get(key)
    if not _member(value, allowed):
        r.err(f"{path}.{key}", f"unknown {key} {value!r}", ident)
    return value if isinstance(value, str) else ""


def _located(
    r: FieldReader, obj: dict[str, Any], path: str, ident: str | None, cell: str
) -> dict[str, Any]:
    """The fields people and resources share: id, cell, reach, categories and availability."""
    return {
        "id": ident or "",
        "cell": cell,
        "reach": r.level(obj, "reach", path, ident, required=False),
        "categories": frozenset(r.strings(obj, "categories", path, ident, CATEGORIES)),
        "available": r.interval(obj, "available", path, ident),
    }


def _person(r: FieldReader, obj: dict[str, Any], path: str, pid: str | None, cell: str) -> Entity:
    return Entity(
        **_located(r, obj, path, pid, cell),
        party_member=r.boolean(obj, "party_member", path, pid, False),
        skills=frozenset(r.strings(obj, "skills", path, pid, empty_ok=True)),
        hours=r.number(obj, "hours", path, pid),
        max_deeds=r.integer(obj, "max_deeds", path, pid, 1),
        max_lead=r.integer(obj, "max_lead", path, pid, 0),
        household=r.string(obj, "household", path, pid, empty_ok=True),
    )


def _resource(r: FieldReader, obj: dict[str, Any], path: str, rid: str | None, cell: str) -> Entity:
    kind = _enum(r, obj, "kind", KINDS, path, rid)
    return Entity(
        **_located(r, obj, path, rid, cell),
        kind=kind,
        capacity=r.integer(obj, "capacity", path, rid, 0),
    )


def _need(r: FieldReader, obj: dict[str, Any], path: str, nid: str | None, cell: str) -> Need:
    category = _enum(r, obj, "category", CATEGORIES, path, nid)
    items = _requested_items(r, obj, path, nid)  # read first: its errors come first
    return Need(
        id=nid or "",
        cell=cell,
        category=category,
        priority=r.integer(obj, "priority", path, nid, 1, minimum=1, required=True),
        lead=r.boolean(obj, "lead", path, nid, True),
        volunteers=r.integer(obj, "volunteers", path, nid, 0),
        hours=r.number(obj, "hours", path, nid),
        skills=tuple(dict.fromkeys(r.strings(obj, "skills", path, nid, empty_ok=True))),
        items=items,
        window=r.interval(obj, "window", path, nid),
        household=r.string(obj, "household", path, nid, empty_ok=True),
    )


def _requested_items(
    r: FieldReader, obj: dict[str, Any], path: str, nid: str | None
) -> dict[str, int]:
    """The need's ``resources`` as units per kind (a kind listed twice adds up)."""
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
        qty = r.integer(item, "quantity", ipath, nid, 1)
        items[kind] = items.get(kind, 0) + qty
    return items


def _read_pins_and_forbids(r: FieldReader, data: dict[str, Any], inst: Instance) -> None:
    for path, obj in r.records(data, "pins"):
        need_id, person_id, entry = _need_person(r, inst, obj, path)
        role = obj.get("role")
        if not _member(role, ROLES):
            r.err(f"{path}.role", f"role must be LEAD or TEAM, got {role!r}", entry)
        if need_id and person_id and isinstance(role, str):
            inst.pins.append((need_id, person_id, role))
    for path, obj in r.records(data, "forbid"):
        need_id, person_id, _ = _need_person(r, inst, obj, path)
        if need_id and person_id:
            inst.forbid.add((need_id, person_id))


def _need_person(
    r: FieldReader, inst: Instance, obj: dict[str, Any], path: str
) -> tuple[str | None, str | None, str]:
    """A pin's or forbid's need and person (checked to exist), and its name in messages."""
    need_id = r.string(obj, "need", path, None, required=True)
    person_id = r.string(obj, "person", path, None, required=True)
    entry = f"{need_id}/{person_id}"
    if need_id is not None and need_id not in inst.needs:
        r.err(f"{path}.need", f"unknown need {need_id!r}", entry)
    if person_id is not None and person_id not in inst.people:
        r.err(f"{path}.person", f"unknown person {person_id!r}", entry)
    return need_id, person_id, entry
