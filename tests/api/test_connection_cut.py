"""A PostgreSQL connection cut in the middle of a multi-row mutation: nothing of it is written,
the caller gets a typed error, and the next request succeeds without a restart."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.util import await_only

from tests.api.helpers import scalar
from tests.api.mutations.helpers import load_demo, run, small_need
from tests.conftest import STAFF_TOKEN, api_app

CREATE = """mutation($input: CreateNeedInput!) {
  createNeed(input: $input) { need { id title } errors { code field message } }
}"""


async def _admin(url: str) -> asyncpg.Connection:
    """A connection of its own, as an operator or a failover would use."""
    parsed = make_url(url)
    return await asyncpg.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, database=parsed.database
    )


async def _terminate(url: str, pid: int) -> None:
    conn = await _admin(url)
    try:
        await conn.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await conn.close()


async def test_a_cut_connection_writes_nothing_and_the_next_request_works(
    demo_url: str, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's; SQLite has no server connection")
    demo = await load_demo(demo_url)
    before = await scalar(demo_url, "SELECT COUNT(*) FROM needs")
    keys_before = await scalar(demo_url, "SELECT COUNT(*) FROM idempotency_keys")
    cut: list[int] = []

    def after_execute(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # The need's row is written; its idempotency key (the second row) is not yet.
        if not cut and statement.startswith("INSERT INTO needs"):
            pid = conn.connection.dbapi_connection.driver_connection.get_server_pid()
            cut.append(pid)
            await_only(_terminate(demo_url, pid))

    variables = small_need(demo, idempotencyKey="cut-1")
    async with api_app(demo_url, token=STAFF_TOKEN) as (client, state):
        event.listen(state.engine.sync_engine, "after_cursor_execute", after_execute)
        failed = await run(client, CREATE, variables)
        event.remove(state.engine.sync_engine, "after_cursor_execute", after_execute)
        assert cut, "the hook cut the connection"
        assert failed["need"] is None
        assert [(e["code"], e["field"]) for e in failed["errors"]] == [("UNAVAILABLE", None)]
        assert await scalar(demo_url, "SELECT COUNT(*) FROM needs") == before
        assert await scalar(demo_url, "SELECT COUNT(*) FROM idempotency_keys") == keys_before
        # The same app, no restart: the retry (same key) writes the need once.
        retried = await run(client, CREATE, variables)
    assert retried["errors"] == [] and retried["need"]["title"] == "代购药品"
    assert await scalar(demo_url, "SELECT COUNT(*) FROM needs") == before + 1


READ = "{ cells(level: TOWN) { nodes { name children { name } } } }"


async def _terminate_all(url: str) -> int:
    """Every other backend of the database cut at once, as a server restart would."""
    conn = await _admin(url)
    try:
        rows = await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()
    return len(rows)


async def test_after_every_pooled_connection_is_cut_at_most_one_read_fails_typed(
    demo_url: str, backend: str
) -> None:
    """Connections are not pinged at checkout (a ping is three round trips on every read): a
    dead pooled connection fails its statement, which invalidates it and every older one."""
    if backend != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's; SQLite has no server connection")
    async with api_app(demo_url, token=STAFF_TOKEN) as (client, _state):
        # Several pooled connections, all alive and idle.
        for _ in range(3):
            answer = (await client.post("/graphql", json={"query": READ})).json()
            assert "errors" not in answer and answer["data"]["cells"]["nodes"]
        assert await _terminate_all(demo_url) >= 1
        answers = [(await client.post("/graphql", json={"query": READ})) for _ in range(4)]
    failed = [r.json() for r in answers if "errors" in r.json()]
    assert len(failed) <= 1, failed
    for body in failed:
        assert body["errors"][0]["extensions"]["code"] == "UNAVAILABLE", body
    assert all(r.status_code == 200 for r in answers)
    assert answers[-1].json()["data"]["cells"]["nodes"]
