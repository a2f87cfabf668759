"""SQL of a deed's implementation plan: its text and milestones (replaced before publication,
changed one at a time after it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.models import Deed, DeedMilestone
from sandan.db.repositories.batch import Record, columns_of, records


async def replace_plan(
    session: AsyncSession, deed_pk: int, plan: str | None, steps: Sequence[tuple[str, date | None]]
) -> None:
    await session.execute(update(Deed).where(Deed.id == deed_pk).values(plan=plan))
    await session.execute(delete(DeedMilestone).where(DeedMilestone.deed_id == deed_pk))
    if steps:
        await session.execute(
            insert(DeedMilestone),
            [
                {"deed_id": deed_pk, "seq": seq, "title": title, "due_on": due, "done_on": None}
                for seq, (title, due) in enumerate(steps, start=1)
            ],
        )


async def milestone(session: AsyncSession, deed_pk: int, seq: int) -> Record | None:
    stmt = columns_of(DeedMilestone).where(
        DeedMilestone.deed_id == deed_pk, DeedMilestone.seq == seq
    )
    rows = records(await session.execute(stmt))
    return rows[0] if rows else None


async def change_milestone(
    session: AsyncSession, milestone_pk: int, values: dict[str, Any]
) -> None:
    await session.execute(
        update(DeedMilestone).where(DeedMilestone.id == milestone_pk).values(**values)
    )


async def plan_text(session: AsyncSession, deed_pk: int) -> str | None:
    text = await session.scalar(select(Deed.plan).where(Deed.id == deed_pk))
    return None if text is None else str(text)
