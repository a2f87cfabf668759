"""SQL of residents' public comments on deeds: written, hidden by staff, read per deed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.models import DeedComment
from sandan.db.reader import Reader
from sandan.db.repositories.batch import Record, columns_of, rows_grouped_by_key


async def add_comment(session: AsyncSession, deed_pk: int, body: str) -> int:
    stmt = insert(DeedComment).values(deed_id=deed_pk, body=body).returning(DeedComment.id)
    pk = await session.scalar(stmt)
    assert pk is not None
    return int(pk)


async def deed_of_comment(session: Reader, pk: int) -> int | None:
    deed = await session.scalar(select(DeedComment.deed_id).where(DeedComment.id == pk))
    return None if deed is None else int(deed)


async def hide(session: AsyncSession, pk: int) -> bool:
    result = await session.execute(
        update(DeedComment)
        .where(DeedComment.id == pk, DeedComment.hidden_at.is_(None))
        .values(hidden_at=datetime.now(UTC))
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def visible_by_deed_ids(session: Reader, ids: Sequence[int]) -> dict[int, list[Record]]:
    stmt = columns_of(DeedComment).where(DeedComment.hidden_at.is_(None))
    return await rows_grouped_by_key(session, stmt, DeedComment.deed_id, ids, DeedComment.id)
