"""The PostgreSQL queue with real processes: two `sandan worker`s share six runs, a SIGKILLed
worker's run is taken over, and a server killed mid-run leaves no run RUNNING for ever."""

from __future__ import annotations

import asyncio
import signal
import time
from typing import Any

import pytest

from tests.api.helpers import pk_of, sql
from tests.conftest import STAFF_TOKEN, api_client
from tests.databases import BACKENDS, Databases
from tests.runs.helpers import cell_gid, start
from tests.runs.server import free_port, start_server, start_worker, stop

POSTGRES = [b for b in BACKENDS if b == "postgresql"]
pytestmark = pytest.mark.parametrize("backend", POSTGRES)

MONTHS = [(f"2026-{m:02d}-01", f"2026-{m:02d}-28") for m in range(3, 9)]


async def _runs(url: str) -> list[dict[str, Any]]:
    return await sql(url, "SELECT id, status, attempts, worker FROM optimisation_runs ORDER BY id")


async def _wait(url: str, pk: int, statuses: set[str], limit: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        rows = await sql(url, "SELECT * FROM optimisation_runs WHERE id = :id", {"id": pk})
        if rows[0]["status"] in statuses:
            return rows[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"run {pk} never reached {statuses}")


async def _listening(url: str, count: int, limit: float = 60) -> None:
    """Wait until `count` workers LISTEN for new runs on this database (not a fixed sleep: a
    worker's start-up takes as long as the machine's load makes it)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        rows = await sql(
            url,
            "SELECT count(*) AS n FROM pg_stat_activity "
            "WHERE datname = current_database() AND left(query, 7) = 'LISTEN '",
        )
        if rows[0]["n"] >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{count} workers were not listening within {limit} s")


async def _queue(url: str, periods: list[tuple[str, str]]) -> list[int]:
    """A run per period, over the two villages in turn (disjoint subtrees run side by side)."""
    async with api_client(url, token=STAFF_TOKEN, runs_in_server=False) as client:
        villages = [await cell_gid(url, code) for code in ("NH-JJ-01", "NH-JJ-02")]
        return [
            pk_of(await start(client, villages[i % 2], period={"from": a, "to": b}))
            for i, (a, b) in enumerate(periods)
        ]


async def test_two_workers_share_six_runs_each_solved_once(
    databases: Databases, backend: str
) -> None:
    url = await databases.clone(backend, demo=True)
    workers = [start_worker(url), start_worker(url)]
    try:
        await _listening(url, 2)  # both listening before the runs arrive
        pks = await _queue(url, MONTHS)
        for pk in pks:
            await _wait(url, pk, {"SUCCEEDED", "FAILED"})
    finally:
        for w in workers:
            stop(w)
    rows = await _runs(url)
    assert [r["status"] for r in rows] == ["SUCCEEDED"] * 6, await sql(
        url, "SELECT id, failure FROM optimisation_runs WHERE failure IS NOT NULL"
    )
    assert [r["attempts"] for r in rows] == [1] * 6  # each taken exactly once
    names = {r["worker"] for r in rows}
    assert {name.rsplit(":", 1)[1] for name in names} == {str(w.pid) for w in workers}, rows
    # Each run's answer was written once: one proposal per deed the run reported.
    for r in await sql(
        url,
        "SELECT r.id, count(p.deed_id) AS written, r.statistics FROM optimisation_runs r "
        "LEFT JOIN run_proposals p ON p.run_id = r.id GROUP BY r.id",
    ):
        assert r["written"] == r["statistics"]["deeds_proposed"]


async def test_a_killed_workers_run_is_taken_over(databases: Databases, backend: str) -> None:
    url = await databases.clone(backend, demo=True)
    doomed = start_worker(url)
    survivor = None
    try:
        await _listening(url, 1)
        [pk] = await _queue(url, MONTHS[:1])
        running = await _wait(url, pk, {"RUNNING", "SUCCEEDED"})
        assert running["status"] == "RUNNING", "the run ended before its worker was killed"
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
        survivor = start_worker(url)
        done = await _wait(url, pk, {"SUCCEEDED", "FAILED"})
    finally:
        stop(doomed)
        if survivor is not None:
            stop(survivor)
    assert done["status"] == "SUCCEEDED" and done["attempts"] == 2
    assert done["worker"].endswith(f":{survivor.pid}")


async def test_a_server_restart_leaves_no_run_running(databases: Databases, backend: str) -> None:
    url = await databases.clone(backend, demo=True)
    port = free_port()
    server = start_server(url, port)
    try:
        [pk] = await _queue(url, MONTHS[:1])
        running = await _wait(url, pk, {"RUNNING", "SUCCEEDED"})
        assert running["status"] == "RUNNING"
        server.send_signal(signal.SIGKILL)
        server.wait()
        server = start_server(url, port)
        done = await _wait(url, pk, {"SUCCEEDED", "FAILED"})
    finally:
        stop(server)
    assert done["status"] == "SUCCEEDED" and done["attempts"] == 2
