"""The worker's outer give-up, with real child processes on both engines: a solve past its time
limit is asked to stop and its answer is written (SUCCEEDED, the overrun in its statistics); a
solve that will not stop is killed and its run fails with a message staff can act on."""

from __future__ import annotations

import asyncio
import functools
import os
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from sandan.db.repositories import runs
from sandan.matching.check import check
from sandan.resolvers.runs.solve_process import ChildTarget
from sandan.resolvers.runs.worker import GAVE_UP, OVERRAN, RunWorker, WorkerConfig
from tests.api.helpers import data_of, pk_of, sql
from tests.conftest import STAFF_TOKEN, api_app, gql
from tests.runs.children import never_stops, stops_when_asked
from tests.runs.helpers import cell_gid, start

STATISTICS = """
query Run($id: ID!) {
  optimisationRun(id: $id) { status statistics { deedsProposed stoppedPastTimeLimit } }
}"""

# Graces of a fraction of a second instead of the production ones (seconds), so that a run
# overruns its 1 s limit and is given up on within a few seconds.
OVERRUN, STOP = 0.5, 0.5


async def _run_once(
    url: str, config: WorkerConfig, child: ChildTarget
) -> tuple[dict[str, Any], float, dict[str, Any]]:
    """Start a 1 s run of the demo's town (a village's needs are all unmatchable in this
    period), let a worker with `child` execute it; the run's row after, and how long the worker
    took."""
    town = await cell_gid(url, "NH-JJ")
    async with api_app(url, token=STAFF_TOKEN, runs_in_server=False) as (client, state):
        worker = RunWorker(state.engine, state.sessionmaker, config, child=child)
        run_id = await start(client, town, seconds=1)
        async with state.sessionmaker() as session:
            claimed = await runs.claim(session, worker.name)
        assert claimed is not None and claimed.id == pk_of(run_id)
        t0 = time.monotonic()
        # Bounded: without a give-up the worker would wait for this child for ever.
        await asyncio.wait_for(worker.execute(claimed), timeout=90)
        took = time.monotonic() - t0
        run = data_of(await gql(client, STATISTICS, {"id": run_id}))["optimisationRun"]
    rows = await sql(
        url,
        "SELECT r.status, r.failure, r.statistics, (SELECT count(*) FROM run_proposals p "
        "WHERE p.run_id = r.id) AS written FROM optimisation_runs r WHERE r.id = :id",
        {"id": claimed.id},
    )
    row = rows[0]
    if isinstance(row["statistics"], str):  # SQLite returns the JSON column as text
        row["statistics"] = orjson.loads(row["statistics"])
    row["id"] = claimed.id
    return row, took, run


async def test_a_solver_that_will_not_stop_is_killed_and_its_run_fails(
    demo_url: str, tmp_path: Path
) -> None:
    pid_file = tmp_path / "child.pid"
    config = WorkerConfig(overrun_grace=OVERRUN, overrun_grace_per_need=0.0, stop_grace=STOP)
    row, took, run = await _run_once(
        demo_url, config, functools.partial(never_stops, str(pid_file))
    )
    assert row["status"] == "FAILED"
    assert row["failure"] == OVERRAN.format(limit=1)
    assert row["statistics"] is None and row["written"] == 0
    assert run == {"status": "FAILED", "statistics": None}
    # It waited out the limit and both graces (from "exported", later than t0), and not for ever.
    assert 1 + OVERRUN + STOP <= took < 30
    # The child is gone (killed and reaped), not left sleeping beside the worker.
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


async def test_a_solver_past_its_limit_is_stopped_and_its_answer_written(demo_url: str) -> None:
    config = WorkerConfig(overrun_grace=OVERRUN, overrun_grace_per_need=0.0, stop_grace=60.0)
    row, took, run = await _run_once(demo_url, config, stops_when_asked)
    assert row["status"] == "SUCCEEDED", row["failure"]
    assert row["failure"] is None
    stats = row["statistics"]
    # Stopped by the give-up, as its statistics say: past the limit by at least the grace.
    assert stats[GAVE_UP] >= OVERRUN
    # Staff reading the run see it too, beside the answer's figures.
    assert run["statistics"]["stoppedPastTimeLimit"] == stats[GAVE_UP]
    assert run["statistics"]["deedsProposed"] == stats["deeds_proposed"]
    assert took >= 1 + OVERRUN
    # The stopped solver's answer is written in full, and is a valid answer to the instance.
    assert stats["deeds_proposed"] > 0 and row["written"] == stats["deeds_proposed"]
    [files] = await sql(
        demo_url,
        "SELECT instance, solution FROM optimisation_run_files WHERE run_id = :id",
        {"id": row["id"]},
    )
    report = check(orjson.loads(files["instance"]), orjson.loads(files["solution"]))
    assert report.ok, report.violations
