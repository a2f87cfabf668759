"""SQL of residents' public comments on deeds: written, hidden by staff, read per deed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.models import DeedComment
from sandan.db.reader import Reader
from sandan.db.repositories.batch import Record, columns_of, rows_grouped_by_key
from sandan.db.repositories.writes import stamp_once


async def add_comment(session: AsyncSession, deed_pk: int, body: str) -> int:
    stmt = insert(DeedComment).values(deed_id=deed_pk, body=body).returning(DeedComment.id)
    pk = await session.scalar(stmt)
    assert pk is not None
    return int(pk)


async def deed_of_comment(session: Reader, pk: int) -> int | None:
    deed = await session.scalar(select(DeedComment.deed_id).where(DeedComment.id == pk))
    return None if deed is None else int(deed)


async def hide(session: AsyncSession, pk: int) -> bool:
    now = datetime.now(UTC)
    return await stamp_once(session, DeedComment.hidden_at, DeedComment.id == pk, hidden_at=now)


async def visible_by_deed_ids(session: Reader, ids: Sequence[int]) -> dict[int, list[Record]]:
    stmt = columns_of(DeedComment).where(DeedComment.hidden_at.is_(None))
    return await rows_grouped_by_key(session, stmt, DeedComment.deed_id, ids, DeedComment.id)
