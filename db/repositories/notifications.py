"""SQL of stored notifications: a member's page of them (newest first), new ones since an id,
and marking them read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.models import Notification
from sandan.db.reader import Reader
from sandan.db.repositories.batch import Record, columns_of, records


async def page(
    session: Reader, person_pk: int, *, before_id: int | None, limit: int, unread: bool | None
) -> list[Record]:
    """Up to `limit` notifications of the member, newest first, older than `before_id`."""
    stmt = columns_of(Notification).where(Notification.person_id == person_pk)
    if before_id is not None:
        stmt = stmt.where(Notification.id < before_id)
    if unread is not None:
        stmt = stmt.where(
            Notification.read_at.is_(None) if unread else Notification.read_at.is_not(None)
        )
    return records(await session.execute(stmt.order_by(Notification.id.desc()).limit(limit)))


async def newer_than(session: Reader, person_pk: int, after_id: int) -> list[Record]:
    stmt = (
        columns_of(Notification)
        .where(Notification.person_id == person_pk, Notification.id > after_id)
        .order_by(Notification.id)
    )
    return records(await session.execute(stmt))


async def latest_id(session: Reader) -> int:
    return int(await session.scalar(select(func.coalesce(func.max(Notification.id), 0))) or 0)


async def mark_read(session: AsyncSession, person_pk: int, ids: Sequence[int]) -> int:
    """Marks the member's own unread ones among `ids` read; returns how many changed."""
    result = await session.execute(
        update(Notification)
        .where(
            Notification.person_id == person_pk,
            Notification.id.in_(list(ids)),
            Notification.read_at.is_(None),
        )
        .values(read_at=datetime.now(UTC))
    )
    return int(getattr(result, "rowcount", 0))
