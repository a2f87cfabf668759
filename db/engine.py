"""Engine and sessionmaker construction: called from the app's lifespan and the CLI, never at
import time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import orjson
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

T = TypeVar("T")


def create_engine(url: str, *, echo: bool = False, pool_size: int = 24) -> AsyncEngine:
    parsed = make_url(url)
    # JSON columns (skills, categories, requests) are decoded on every read: orjson is ~5x faster.
    kwargs: dict[str, Any] = {
        "echo": echo,
        "json_deserializer": orjson.loads,
        "json_serializer": _json_text,
        # A failing statement's error (logged with its traceback) names no parameter values:
        # they may be a household's name, phone or address.
        "hide_parameters": True,
    }
    if parsed.get_backend_name() == "sqlite":
        _prepare_sqlite_file(url)
        # The busy timeout: a writer waits up to 30 s for the one write lock instead of failing.
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_size"] = pool_size
        kwargs["max_overflow"] = pool_size // 2
        # No ping at checkout: asyncpg's ping is BEGIN, a query and ROLLBACK, three round trips
        # on every read (a profile of the village query showed them; BENCHMARKS.md). A
        # connection the server dropped (a restart, pg_terminate_backend) fails its statement as a
        # disconnect;
        # SQLAlchemy then invalidates it and every older pooled connection, so the request
        # after a cut succeeds without restarting sandan (tests/api/test_connection_cut.py).
        kwargs["pool_pre_ping"] = False
        # asyncpg prepares every statement; after five runs PostgreSQL may switch a prepared
        # statement to a generic plan, which cannot see how narrow a subtree's path range is
        # and scans whole tables. Planning each run costs well under a millisecond.
        kwargs["connect_args"] = {"server_settings": {"plan_cache_mode": "force_custom_plan"}}
    engine = create_async_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        _configure_sqlite(engine)
    return engine


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def create_nullpool_engine(url: str) -> AsyncEngine:
    """For one-off commands (migrations, loading data) that should not keep connections."""
    engine = create_async_engine(
        url,
        poolclass=NullPool,
        json_deserializer=orjson.loads,
        json_serializer=_json_text,
        hide_parameters=True,
    )
    if make_url(url).get_backend_name() == "sqlite":
        _prepare_sqlite_file(url)
        _configure_sqlite(engine)
    return engine


async def in_one_transaction(url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one transaction of a one-off engine (committed when it returns), for a
    command that writes a few rows and exits."""
    engine = create_nullpool_engine(url)
    try:
        async with AsyncSession(engine) as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()


def _prepare_sqlite_file(url: str) -> None:
    database = make_url(url).database or ""
    if database in ("", ":memory:"):
        # Each pooled connection would see its own empty in-memory database.
        raise ValueError("sandan needs a SQLite file, not an in-memory database")
    Path(database).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Foreign keys are off by default in SQLite; WAL lets readers run beside the writer.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # The driver's own BEGIN is deferred: two writers could both read a row and then both
        # write it. SQLAlchemy's documented recipe: the driver starts nothing, and `_on_begin`
        # starts every transaction of the unit of work as IMMEDIATE (it takes the write lock
        # first, so the read that decides a write already holds it).
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return  # reads (db/reader.py) take no lock
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
