"""Bulk loading of generated demo data (sandan.demo) into an empty, migrated database.

PostgreSQL gets binary COPY through asyncpg (`copy_records_to_table`); other engines (SQLite) get
chunked `executemany` of Core inserts. Everything happens in one transaction: a failure leaves the
database as it was. The generator assigns explicit ids, so PostgreSQL's id sequences are moved past
them afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import JSON, Table, bindparam, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

import sandan.db.models  # noqa: F401 - registers every table on Base.metadata
from sandan.db.base import Base
from sandan.demo.data import TABLE_ORDER, DemoData, Row

# The foreign-key cycle cells.leader_id → people → households (people.household_id): these
# columns are inserted as NULL and filled in once every row they point at exists.
DEFERRED: dict[str, tuple[str, ...]] = {"cells": ("leader_id",), "people": ("household_id",)}

_SQLITE_CHUNK = 10_000

_T = TypeVar("_T")


class DemoLoadError(RuntimeError):
    """The demo data cannot be loaded (the database is not empty, or a row names no column)."""


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


async def is_empty(engine: AsyncEngine) -> bool:
    """True when none of the tables the demo fills holds a row."""
    async with engine.connect() as connection:
        return await _is_empty(connection)


async def _is_empty(connection: AsyncConnection) -> bool:
    for name in TABLE_ORDER:
        query = select(literal(1)).select_from(_table(name)).limit(1)
        if (await connection.execute(query)).first() is not None:
            return False
    return True


async def load(engine: AsyncEngine, data: DemoData) -> dict[str, int]:
    """Insert every row of `data` in one transaction; returns the row count per table."""
    tables = {name: rows for name, rows in data.tables().items() if rows}
    columns = {name: _columns(name, rows) for name, rows in tables.items()}
    async with engine.begin() as connection:
        # Checked inside the transaction; on PostgreSQL this first statement also opens the
        # driver-level transaction that the raw COPY commands below then join.
        if not await _is_empty(connection):
            raise DemoLoadError(
                "the database already holds grid or list data; demo data is only loaded into an "
                "empty, migrated database"
            )
        if connection.dialect.name == "postgresql":
            await _load_postgresql(connection, tables, columns)
        else:
            await _load_executemany(connection, tables, columns)
    # Fresh statistics, so the planner picks index scans for the grid's range queries at once
    # instead of after autovacuum gets round to the new tables; on PostgreSQL also a vacuum,
    # which sets the visibility map so counts can be answered from indexes alone.
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        postgres = connection.dialect.name == "postgresql"
        await connection.exec_driver_sql("VACUUM (ANALYZE)" if postgres else "ANALYZE")
    return data.counts()


def _columns(name: str, rows: list[Row]) -> list[str]:
    columns = list(rows[0])
    unknown = set(columns) - set(_table(name).columns.keys())
    if unknown:
        raise DemoLoadError(f"{name}: rows name columns the table does not have: {sorted(unknown)}")
    return columns


def _deferred_values(name: str, rows: list[Row]) -> dict[str, list[tuple[int, int]]]:
    """(id, value) pairs of the deferred columns that are not NULL."""
    return {
        column: [(row["id"], row[column]) for row in rows if row.get(column) is not None]
        for column in DEFERRED.get(name, ())
    }


# --- PostgreSQL -----------------------------------------------------------------------------------


async def _load_postgresql(
    connection: AsyncConnection, tables: dict[str, list[Row]], columns: dict[str, list[str]]
) -> None:
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection  # asyncpg.Connection, in SQLAlchemy's open transaction
    for name, rows in tables.items():
        await driver.copy_records_to_table(
            name, records=_records(name, rows, columns[name]), columns=columns[name]
        )
    for name, rows in tables.items():
        for column, pairs in _deferred_values(name, rows).items():
            if pairs:
                ids, values = zip(*pairs, strict=True)
                # One statement per column: the pairs travel as two arrays.
                await driver.execute(
                    f'UPDATE "{name}" AS t SET "{column}" = v.value '
                    "FROM unnest($1::integer[], $2::integer[]) AS v(id, value) WHERE t.id = v.id",
                    list(ids),
                    list(values),
                )
    for name in tables:
        table = _table(name)
        sequence = func.pg_get_serial_sequence(name, "id")
        await connection.execute(select(func.setval(sequence, func.max(table.c.id))))


def _records(name: str, rows: list[Row], columns: list[str]) -> list[tuple[Any, ...]]:
    """Row tuples for COPY: JSON columns as text (asyncpg's json codec takes str), cycle → NULL."""
    table = _table(name)
    getter = itemgetter(*columns)
    json_at = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
    null_at = [i for i, c in enumerate(columns) if c in DEFERRED.get(name, ())]
    if len(columns) == 1:
        return [(row[columns[0]],) for row in rows]
    if not json_at and not null_at:
        return [getter(row) for row in rows]
    records: list[tuple[Any, ...]] = []
    dumps = json.dumps
    for row in rows:
        record = list(getter(row))
        for i in json_at:
            record[i] = dumps(record[i], ensure_ascii=False)
        for i in null_at:
            record[i] = None
        records.append(tuple(record))
    return records


# --- SQLite and anything else ---------------------------------------------------------------------


async def _load_executemany(
    connection: AsyncConnection, tables: dict[str, list[Row]], columns: dict[str, list[str]]
) -> None:
    for name, rows in tables.items():
        table = _table(name)
        deferred = DEFERRED.get(name, ())
        for chunk in _chunks(rows, _SQLITE_CHUNK):
            params = [{**row, **dict.fromkeys(deferred)} for row in chunk] if deferred else chunk
            await connection.execute(table.insert(), list(params))
    for name, rows in tables.items():
        table = _table(name)
        for column, pairs in _deferred_values(name, rows).items():
            statement = (
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values({column: bindparam("row_value")})
            )
            for batch in _chunks(pairs, _SQLITE_CHUNK):
                await connection.execute(
                    statement, [{"row_id": i, "row_value": v} for i, v in batch]
                )


def _chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
