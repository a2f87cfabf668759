"""Helpers of the API tests: direct SQL on the test database, global ids, statement counting.

Expectations are computed here from the database itself, never through the application's own
repositories, so a bug in those cannot hide in both the answer and the expectation.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

import sandan.db.models  # noqa: F401 - registers every table
from sandan.db.base import Base
from sandan.db.engine import create_engine
from sandan.schema.fastpath import Planner
from tests.conftest import gql

# The data a request may change; the audit trail grows with reads too (tests/api/test_audit.py).
TABLES = sorted(t for t in Base.metadata.tables if t != "audit_events")

# One small engine per test database, kept for the test (connecting per query is slow on
# PostgreSQL); tests/api/conftest.py disposes of them after each test.
_ENGINES: dict[str, AsyncEngine] = {}


def engine_for(url: str) -> AsyncEngine:
    if url not in _ENGINES:
        _ENGINES[url] = create_engine(url, pool_size=1)
    return _ENGINES[url]


async def dispose_engines() -> None:
    while _ENGINES:
        _, engine = _ENGINES.popitem()
        await engine.dispose()


def gid(type_name: str, pk: int) -> str:
    """A Relay global id as the API documents it: base64("Type:pk")."""
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def pk_of(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().partition(":")[2])


async def sql(url: str, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rows of a raw SQL query, as dicts."""
    async with engine_for(url).connect() as conn:
        result = await conn.execute(text(query), params or {})
        return [dict(row._mapping) for row in result]


async def execute(url: str, *statements: str) -> None:
    """Run writing statements in one transaction (to set up a case the API cannot create)."""
    async with engine_for(url).begin() as conn:
        for statement in statements:
            await conn.execute(text(statement))


async def scalar(url: str, query: str, params: dict[str, Any] | None = None) -> Any:
    rows = await sql(url, query, params)
    assert len(rows) == 1, rows
    return next(iter(rows[0].values()))


Snapshot = dict[str, list[tuple[str, ...]]]


async def snapshot(url: str) -> Snapshot:
    """Every row of every table (as text), to prove that a refused mutation wrote nothing."""
    out: Snapshot = {}
    async with engine_for(url).connect() as conn:
        for table in TABLES:
            key = ", ".join(c.name for c in Base.metadata.tables[table].primary_key)
            result = await conn.execute(text(f"SELECT * FROM {table} ORDER BY {key}"))
            out[table] = [tuple(str(v) for v in row) for row in result]
    return out


def data_of(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    errors = body.get("errors")
    assert errors and len(errors) == 1, body
    error: dict[str, Any] = errors[0]
    return error


async def walk(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], field: str, first: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """Follow `first`/`after` to the end: (nodes, pages' pageInfo, totalCount of page 1).

    `query` takes $first and $after and selects `field { totalCount pageInfo {...} edges {...} }`.
    """
    nodes: list[dict[str, Any]] = []
    infos: list[dict[str, Any]] = []
    after = None
    total = -1
    for _ in range(1000):
        body = await gql(client, query, {**variables, "first": first, "after": after})
        conn = data_of(body)[field]
        if total < 0:
            total = conn["totalCount"]
        edges = conn["edges"]
        info = conn["pageInfo"]
        infos.append(info)
        assert len(edges) <= first
        if edges:
            assert info["startCursor"] == edges[0]["cursor"]
            assert info["endCursor"] == edges[-1]["cursor"]
        else:
            assert info["startCursor"] is None and info["endCursor"] is None
        assert info["hasPreviousPage"] is (after is not None)
        nodes += [e["node"] for e in edges]
        if not info["hasNextPage"]:
            return nodes, infos, total
        assert len(edges) == first, "a page before the last must be full"
        after = info["endCursor"]
    raise AssertionError("pagination did not end")


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def counting_statements(engine: AsyncEngine) -> Iterator[StatementCounter]:
    """Counts the SQL statements the engine sends while the block runs."""
    counter = StatementCounter()

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        counter.statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)


def planner_of(client: Any) -> Planner:
    """The query planner of the app behind a test client (below sandan.guard and the audit
    trail)."""
    app = client._transport.app
    graphql = next(r for r in app.routes if getattr(r, "path", "") == "/graphql").app
    while not hasattr(graphql, "planner"):  # behind sandan.guard and the audit trail
        graphql = graphql.inner
    return graphql.planner  # type: ignore[no-any-return]
