"""Batched reads keyed by a column: one statement per loader batch, whatever the batch size."""

from __future__ import annotations

import collections
import functools
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeAlias, TypeVar

from sqlalchemy import ColumnElement, Result, Select, select
from sqlalchemy.orm import InstrumentedAttribute

from sandan.db.models import Cell
from sandan.db.reader import Reader
from sandan.db.scope import Scope

K = TypeVar("K", bound=Hashable)

# Well under SQLite's and asyncpg's bound-parameter limits.
CHUNK = 5000


def _chunks(keys: Sequence[K]) -> Iterable[Sequence[K]]:
    """Chunks padded to a power-of-two length by repeating the last key: an IN list of each
    distinct length is a distinct statement to prepare and plan, so padding keeps the
    statement caches (SQLAlchemy's and the driver's) to a handful of entries per query."""
    for start in range(0, len(keys), CHUNK):
        chunk = list(keys[start : start + CHUNK])
        size = 1 << (len(chunk) - 1).bit_length()
        yield chunk + [chunk[-1]] * (min(size, CHUNK) - len(chunk))


Column = ColumnElement[Any] | InstrumentedAttribute[Any]
# A namedtuple of a statement's columns (see `records`); read by column name.
Record: TypeAlias = Any


@functools.lru_cache(maxsize=256)
def _record_type(fields: tuple[str, ...]) -> Any:
    return collections.namedtuple("Record", fields)


def records(result: Result[Any]) -> list[Record]:
    """The rows as namedtuples: attribute reads cost tens of nanoseconds instead of a
    microsecond on SQLAlchemy's Row, and an API object reads a dozen of them per row."""
    make = _record_type(tuple(result.keys()))._make
    return [make(row) for row in result.all()]


async def rows_by_key(
    session: Reader, stmt: Select[Any], key: Column, keys: Sequence[K]
) -> dict[K, Record]:
    """One row per key (keys that match nothing are absent; where several rows share a key,
    the last in the statement's order wins)."""
    found: dict[K, Record] = {}
    for chunk in _chunks(list(dict.fromkeys(keys))):
        result = await session.execute(
            stmt.add_columns(key.label("batch_key")).where(key.in_(chunk))
        )
        for row in records(result):
            found[row.batch_key] = row
    return found


async def rows_grouped_by_key(
    session: Reader,
    stmt: Select[Any],
    key: Column,
    keys: Sequence[K],
    *order_by: Column,
    narrow: Callable[[Sequence[K]], ColumnElement[bool]] | None = None,
) -> dict[K, list[Record]]:
    """All rows per key, in `order_by` order within each key. `narrow` (of a chunk of keys)
    may add a condition every matching row meets, for a computed key no index answers."""
    grouped: dict[K, list[Record]] = defaultdict(list)
    for chunk in _chunks(list(dict.fromkeys(keys))):
        batch = stmt.add_columns(key.label("batch_key")).where(key.in_(chunk))
        if narrow is not None:
            batch = batch.where(narrow(chunk))
        result = await session.execute(batch.order_by(*order_by))
        for row in records(result):
            grouped[row.batch_key].append(row)
    return grouped


def columns_of(model: Any) -> Select[Any]:
    """A Core select of a model's columns: rows, not ORM objects (cheaper to build and read)."""
    return select(*model.__table__.columns)


def in_cells(model: Any, scope: Scope) -> Select[Any]:
    """The rows of `model` whose cell is in `scope`, with that cell's path as `cell_path` (so
    the API decides on personal fields without another query)."""
    return (
        columns_of(model)
        .add_columns(Cell.path.label("cell_path"))
        .join(Cell, Cell.id == model.cell_id)
        .where(scope.clause(Cell.path))
    )
