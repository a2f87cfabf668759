"""SQL of the deed lifecycle: the facts a transition is decided on, the conditional write that
makes it, its history entry and notifications, and batched reads of history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.enums import DeedStatus, HistoryKind, MatterScale, NeedStatus, ResourceKind
from sandan.db.models import (
    Cell,
    Deed,
    DeedHistory,
    DeedMember,
    DeedReport,
    DeedResource,
    Household,
    Need,
    Notification,
    Resource,
)
from sandan.db.reader import Reader
from sandan.db.repositories.batch import Record, columns_of, rows_grouped_by_key


@dataclass(frozen=True)
class DeedFacts:
    """What deciding a transition needs to know about a deed."""

    pk: int
    status: DeedStatus
    cell_path: str
    need_pk: int
    major: bool
    funds: int  # units of FUNDS resources committed to it
    lead_pk: int | None
    published: bool


async def deed_facts(session: Reader, pk: int) -> DeedFacts | None:
    funds = (
        select(func.coalesce(func.sum(DeedResource.quantity), 0))
        .join(Resource, Resource.id == DeedResource.resource_id)
        .where(DeedResource.deed_id == Deed.id, Resource.kind == ResourceKind.FUNDS)
        .scalar_subquery()
    )
    stmt = (
        select(
            Deed.status, Cell.path, Deed.need_id, Need.scale, funds, Deed.lead_id, Deed.published
        )
        .join(Cell, Cell.id == Deed.cell_id)
        .join(Need, Need.id == Deed.need_id)
        .where(Deed.id == pk)
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        return None
    status, path, need_pk, scale, total, lead, published = row
    return DeedFacts(
        pk=pk,
        status=DeedStatus(status),
        cell_path=str(path),
        need_pk=int(need_pk),
        major=scale == MatterScale.MAJOR,
        funds=int(total),
        lead_pk=lead,
        published=bool(published),
    )


async def move_deed(
    session: AsyncSession, pk: int, from_status: DeedStatus, values: dict[str, Any]
) -> bool:
    """The conditional write of a transition: it changes the row only while the deed is still
    in `from_status`, so of two concurrent moves exactly one succeeds (on PostgreSQL the second
    waits for the first's row lock, then finds the status changed)."""
    if hasattr(Deed, "version"):  # the integrity work's optimistic version, where it exists
        values = {**values, "version": Deed.version + 1}
    result = await session.execute(
        update(Deed)
        .where(Deed.id == pk, Deed.status == from_status)
        .values(**values, updated_at=func.now())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def current_status(session: Reader, pk: int) -> DeedStatus | None:
    status = await session.scalar(select(Deed.status).where(Deed.id == pk))
    return None if status is None else DeedStatus(status)


@dataclass(frozen=True)
class Actor:
    """Who made a change, as history records it: the role (public) and, when known, the
    member and account behind it."""

    role: str
    person_pk: int | None = None
    account_pk: int | None = None


async def record_history(
    session: AsyncSession,
    deed_pk: int,
    kind: HistoryKind,
    actor: Actor,
    *,
    from_status: DeedStatus | None = None,
    to_status: DeedStatus | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> None:
    values: dict[str, Any] = {
        "deed_id": deed_pk,
        "kind": kind,
        "from_status": from_status,
        "to_status": to_status,
        "actor_role": actor.role,
        "actor_person_id": actor.person_pk,
        "actor_account_id": actor.account_pk,
        "note": note,
    }
    if at is not None:
        values["at"] = at
    await session.execute(insert(DeedHistory).values(**values))


async def history_by_deed_ids(session: Reader, deed_ids: Sequence[int]) -> dict[int, list[Record]]:
    return await rows_grouped_by_key(
        session, columns_of(DeedHistory), DeedHistory.deed_id, deed_ids, DeedHistory.id
    )


async def people_concerned(session: AsyncSession, deed_pk: int) -> list[int]:
    """The members a deed's news goes to: its lead, its team, and the contact member of the
    household that raised its need (who passes it on to the household)."""
    lead = select(Deed.lead_id).where(Deed.id == deed_pk, Deed.lead_id.is_not(None))
    team = select(DeedMember.person_id).where(DeedMember.deed_id == deed_pk)
    contact = (
        select(Household.contact_person_id)
        .join(Need, Need.household_id == Household.id)
        .join(Deed, Deed.need_id == Need.id)
        .where(Deed.id == deed_pk, Household.contact_person_id.is_not(None))
    )
    result = await session.execute(lead.union(team, contact))
    return sorted({int(pk) for (pk,) in result if pk is not None})


async def notify(session: AsyncSession, deed_pk: int, event: str, message: str) -> list[int]:
    """Stores one notification per member concerned; returns their person ids."""
    people = await people_concerned(session, deed_pk)
    if people:
        await session.execute(
            insert(Notification),
            [
                {"person_id": p, "deed_id": deed_pk, "event": event, "message": message}
                for p in people
            ],
        )
    return people


async def level_of_path(session: Reader, path: str) -> str | None:
    """The grid level of the cell with this ancestry path."""
    level = await session.scalar(select(Cell.level).where(Cell.path == path))
    return None if level is None else str(level)


async def set_need_status(session: AsyncSession, need_pk: int, status: NeedStatus) -> None:
    """A finished deed's need is DONE; a cancelled deed's need is OPEN again (unless closed)."""
    stmt = update(Need).where(Need.id == need_pk, Need.status != NeedStatus.CLOSED)
    await session.execute(stmt.values(status=status, updated_at=func.now()))


async def deed_title(session: Reader, pk: int) -> str:
    return str(await session.scalar(select(Deed.title).where(Deed.id == pk)))


async def reports_by_deed_ids(session: Reader, deed_ids: Sequence[int]) -> dict[int, list[Record]]:
    return await rows_grouped_by_key(
        session, columns_of(DeedReport), DeedReport.deed_id, deed_ids, DeedReport.month
    )
