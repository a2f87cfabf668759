"""The optimiser instance (shared/contract/matching.md, version 1) for one cell and one period.

`export_instance` reads the rows (db/repositories/instance.py) and `build_instance` turns them
into the contract's dict. Choices the contract leaves to the server:

- ids: people "p<pk>", resources "r<pk>", needs "n<pk>", households "h<pk>"; cells by `code`.
- Time: a need's window and an entity's availability are clipped to the period (an entity not
  available in the period is not exported at all): the run plans the period, and clipping also
  closes half-open intervals (one date missing), which the contract cannot express. An interval
  open at both ends stays null ("always").
- Capacity: what active deeds (PROPOSED, APPROVED, IN_PROGRESS) already hold is subtracted from
  max_deeds, hours, max_lead and capacity (never below 0), and an OPEN need that already has an
  active deed is left out, so nothing is promised twice.
- Priority: resolvers/priority.py, with days waiting counted up to the period's start.
- Extra fields: "root" (the cell's code) and "period" ([from, to]); pins and forbid are empty.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.repositories.instance import InstanceRows, PersonUsage, instance_rows
from sandan.resolvers.priority import NeedFacts, days_waiting, priority

CONTRACT_VERSION = 1


class UnknownCell(LookupError):
    """No cell has the requested code."""

    def __init__(self, code: str) -> None:
        super().__init__(f"no cell has the code {code!r}")
        self.code = code


def _clip(lo: date | None, hi: date | None, start: date, end: date) -> list[str] | None:
    """An interval met with the period, as ISO [from, to]; null when open at both ends."""
    if lo is None and hi is None:
        return None
    lo = start if lo is None else max(lo, start)
    hi = end if hi is None else min(hi, end)
    return [lo.isoformat(), hi.isoformat()]


def _household(pk: int | None) -> str | None:
    return None if pk is None else f"h{pk}"


def _strings(values: Any) -> list[str]:
    # JSON string arrays, validated on write; copied so the instance owns its lists.
    return list(values) if values else []


def _cell(row: Any, code_of: dict[int, str]) -> dict[str, Any]:
    parent = None if row.parent_id is None else code_of[row.parent_id]
    return {"id": row.code, "parent": parent, "level": str(row.level)}


def _person(
    row: Any, code_of: dict[int, str], used: PersonUsage, start: date, end: date
) -> dict[str, Any]:
    return {
        "id": f"p{row.id}",
        "cell": code_of[row.cell_id],
        "party_member": bool(row.party_member),
        "skills": _strings(row.skills),
        "categories": _strings(row.categories),
        "hours": max(0, row.hours - used.hours),
        "max_deeds": max(0, row.max_deeds - used.team),
        "max_lead": max(0, row.max_lead - used.leads),
        "reach": None if row.reach is None else str(row.reach),
        "available": _clip(row.available_from, row.available_to, start, end),
        "household": _household(row.household_id),
    }


def _resource(
    row: Any, code_of: dict[int, str], units: int, start: date, end: date
) -> dict[str, Any]:
    return {
        "id": f"r{row.id}",
        "cell": code_of[row.cell_id],
        "reach": None if row.reach is None else str(row.reach),
        "kind": str(row.kind),
        "categories": _strings(row.categories),
        "capacity": max(0, row.capacity - units),
        "available": _clip(row.available_from, row.available_to, start, end),
    }


def need_priority(row: Any, start: date) -> int:
    """The priority rule applied to a need row (household flags are null without a household)."""
    facts = NeedFacts(
        urgency=row.urgency,
        scale=row.scale,
        elderly_alone=bool(row.elderly_alone),
        disability=bool(row.disability),
        low_income=bool(row.low_income),
        days_waiting=days_waiting(row.reported_on, start),
    )
    return priority(facts)


def _need(row: Any, code_of: dict[int, str], start: date, end: date) -> dict[str, Any]:
    requests = [
        {"kind": str(item["kind"]), "quantity": int(item.get("quantity", 1))}
        for item in row.resource_requests or []
    ]
    return {
        "id": f"n{row.id}",
        "cell": code_of[row.cell_id],
        "category": str(row.category),
        "priority": need_priority(row, start),
        "lead": bool(row.needs_lead),
        "volunteers": row.volunteers,
        "hours": row.hours,
        "skills": _strings(row.skills),
        "resources": requests,
        "window": _clip(row.window_from, row.window_to, start, end),
        "household": _household(row.household_id),
    }


def build_instance(rows: InstanceRows, start: date, end: date) -> dict[str, Any]:
    """The contract's instance dict from the rows of one export (pure; no database)."""
    code_of = {cell.id: cell.code for cell in rows.cells}
    # Parents before children (shorter paths first), then by code: stable, diff-friendly files.
    cells = sorted(rows.cells, key=lambda c: (c.path.count("/"), c.code))
    none = PersonUsage()
    return {
        "version": CONTRACT_VERSION,
        "root": rows.root.code,
        "period": [start.isoformat(), end.isoformat()],
        "cells": [_cell(c, code_of) for c in cells],
        "people": [
            _person(p, code_of, rows.person_usage.get(p.id, none), start, end) for p in rows.people
        ],
        "resources": [
            _resource(r, code_of, rows.resource_units.get(r.id, 0), start, end)
            for r in rows.resources
        ],
        "needs": [_need(n, code_of, start, end) for n in rows.needs],
        "pins": [],
        "forbid": [],
    }


async def export_instance(
    session: AsyncSession, code: str, start: date, end: date
) -> dict[str, Any]:
    """The instance for the cell `code` and the period [start, end]; raises UnknownCell."""
    if start > end:
        raise ValueError(f"the period is reversed: {start} is after {end}")
    rows = await instance_rows(session, code, start, end)
    if rows is None:
        raise UnknownCell(code)
    return build_instance(rows, start, end)
