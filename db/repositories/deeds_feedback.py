"""SQL of residents' feedback: one-time codes (kept as keyed hashes), the household's rating,
and rating averages per deed and per subtree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.models import Cell, Deed, DeedFeedback, DeedFeedbackCode
from sandan.db.reader import Reader
from sandan.db.repositories.writes import stamp_once
from sandan.db.scope import Scope


async def store_code(session: AsyncSession, deed_pk: int, code_hash: str) -> None:
    await session.execute(insert(DeedFeedbackCode).values(deed_id=deed_pk, code_hash=code_hash))


async def deed_of_code(session: Reader, code_hash: str) -> int | None:
    """The deed an unused code belongs to."""
    pk = await session.scalar(
        select(DeedFeedbackCode.deed_id).where(
            DeedFeedbackCode.code_hash == code_hash, DeedFeedbackCode.used_at.is_(None)
        )
    )
    return None if pk is None else int(pk)


async def use_code(session: AsyncSession, code_hash: str) -> bool:
    """Marks the code used; False when another request used it first (a conditional write)."""
    code = DeedFeedbackCode.code_hash == code_hash
    return await stamp_once(session, DeedFeedbackCode.used_at, code, used_at=datetime.now(UTC))


async def store_rating(
    session: AsyncSession, deed_pk: int, rating: int, comment: str | None
) -> None:
    await session.execute(
        insert(DeedFeedback).values(deed_id=deed_pk, rating=rating, comment=comment)
    )


@dataclass(frozen=True)
class Satisfaction:
    average: float
    ratings: int


async def satisfaction_by_deed_ids(session: Reader, ids: Sequence[int]) -> dict[int, Satisfaction]:
    stmt = (
        select(DeedFeedback.deed_id, func.avg(DeedFeedback.rating), func.count(DeedFeedback.id))
        .where(DeedFeedback.deed_id.in_(list(ids)))
        .group_by(DeedFeedback.deed_id)
    )
    return {int(pk): Satisfaction(float(a), int(n)) for pk, a, n in await session.execute(stmt)}


async def satisfaction_under(session: Reader, path: str) -> Satisfaction | None:
    """The mean rating of every rated deed in a subtree; None when none is rated."""
    stmt = (
        select(func.avg(DeedFeedback.rating), func.count(DeedFeedback.id))
        .join(Deed, Deed.id == DeedFeedback.deed_id)
        .join(Cell, Cell.id == Deed.cell_id)
        .where(Scope.subtrees([path]).clause(Cell.path))
    )
    average, count = (await session.execute(stmt)).one()
    return None if not count else Satisfaction(round(float(average), 2), int(count))


def rating_measures(subtree: Any, in_subtree: ColumnElement[bool]) -> dict[str, Any]:
    """Correlated measures of the ratings in a subtree (for the cell statistics): how many
    deeds are rated and the sum of their ratings."""

    def over_ratings(measure: Any) -> Any:
        return (
            select(measure)
            .select_from(DeedFeedback)
            .join(Deed, Deed.id == DeedFeedback.deed_id)
            .join(subtree, Deed.cell_id == subtree.id)
            .where(in_subtree)
            .scalar_subquery()
        )

    return {
        "rated_deeds": over_ratings(func.count(DeedFeedback.id)),
        "rating_sum": over_ratings(func.coalesce(func.sum(DeedFeedback.rating), 0)),
    }
