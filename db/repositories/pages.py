"""Keyset pages over any filtered select: stable under inserts, cheap at any depth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from sandan.db.reader import Reader
from sandan.db.repositories.batch import Record, records


@dataclass(frozen=True)
class Page:
    rows: list[Record]
    has_next: bool
    has_previous: bool


async def keyset_page(
    session: Reader,
    stmt: Select[Any],
    id_column: ColumnElement[int],
    *,
    first: int,
    after: int | None,
    descending: bool = False,
) -> Page:
    """Rows ordered by id (highest first when `descending`), the `first` past id `after`."""
    if after is not None:
        stmt = stmt.where(id_column < after if descending else id_column > after)
    order = id_column.desc() if descending else id_column
    result = await session.execute(stmt.order_by(order).limit(first + 1))
    rows = records(result)
    return Page(rows=rows[:first], has_next=len(rows) > first, has_previous=after is not None)


async def count_rows(session: Reader, stmt: Select[Any]) -> int:
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return int(total or 0)
