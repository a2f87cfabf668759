"""Reads and writes of the audit trail (`audit_events`): insert, the filtered page, the prune."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from sandan.db import audit_guard
from sandan.db.models import AuditEvent
from sandan.db.repositories.batch import columns_of


def households_text(ids: Iterable[int]) -> str:
    """The `households` column's form: ",12,40," (sorted, so equal sets give equal text)."""
    return "," + "".join(f"{i}," for i in sorted(set(ids)))


@dataclass(frozen=True)
class EventValues:
    account_id: int | None
    token_id: int | None
    role: str
    client: str | None
    operation: str
    changes: Sequence[dict[str, Any]] = ()
    households: Iterable[int] = ()

    def row(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "token_id": self.token_id,
            "role": self.role,
            "client": (self.client or "")[:64] or None,
            "operation": self.operation[:200],
            "changes": list(self.changes),
            "households": households_text(self.households),
        }


async def insert_event(session: AsyncSession | AsyncConnection, values: EventValues) -> None:
    await session.execute(insert(AuditEvent).values(values.row()))


@dataclass(frozen=True)
class EventFilter:
    account_id: int | None = None
    operation: str | None = None
    household_id: int | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


def filtered_events(f: EventFilter) -> Select[Any]:
    stmt = columns_of(AuditEvent)
    if f.account_id is not None:
        stmt = stmt.where(AuditEvent.account_id == f.account_id)
    if f.operation is not None:
        stmt = stmt.where(AuditEvent.operation == f.operation)
    if f.household_id is not None:
        stmt = stmt.where(AuditEvent.households.contains(f",{f.household_id},"))
    if f.since is not None:
        stmt = stmt.where(AuditEvent.at >= f.since)
    if f.until is not None:
        stmt = stmt.where(AuditEvent.at < f.until)
    return stmt


async def prune(session: AsyncSession, before: datetime, pruned_by: EventValues) -> int:
    """Delete the events older than `before`, the one way rows leave the table, and record that
    (with how many) as a new event, all in the caller's transaction."""
    dialect = session.get_bind().dialect.name
    count = await session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.at < before)
    )
    for statement in audit_guard.lift(dialect):
        await session.execute(text(statement))
    await session.execute(delete(AuditEvent).where(AuditEvent.at < before))
    for statement in audit_guard.restore(dialect):
        await session.execute(text(statement))
    change = {"type": "AuditEvent", "pruned": int(count or 0), "before": before.isoformat()}
    await insert_event(
        session,
        EventValues(
            pruned_by.account_id,
            pruned_by.token_id,
            pruned_by.role,
            pruned_by.client,
            pruned_by.operation,
            changes=[change],
        ),
    )
    return int(count or 0)
