"""Benchmarks of optimisation runs on PostgreSQL with the district demo data.

    python benchmarks/runs_bench.py write   --database-url URL   # writing a district answer
    python benchmarks/runs_bench.py latency --database-url URL   # API p99 while a run solves

`write`: exports the district's instance, solves it in this process, then times the worker's
own `write_results` (one transaction: proposals, members, resource uses, explanations,
unmatched needs). `latency`: a real server (its queue on, the solve in a child process) answers
the nested-village query of benchmarks/api_bench.py at a fixed 50 requests/s, first idle, then
while a district run (queued straight into the runs table: the API only runs towns and
villages) is solving. Hold the CPU lock around each (`flock -x`): the host is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import date
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_bench import fixed_rate, pick_targets, start_server

PERIOD = (date(2026, 5, 1), date(2026, 8, 31))


async def _district_run(url: str, seconds: int) -> int:
    conn = await asyncpg.connect(url)
    try:
        pk = await conn.fetchval(
            """insert into optimisation_runs (cell_id, cell_path, period_from, period_to, status,
                   time_limit_seconds, seed, started_by, attempts)
               select id, path, $1, $2, 'QUEUED', $3, 1, 'benchmark', 0 from cells
               where parent_id is null returning id""",
            *PERIOD,
            seconds,
        )
        await conn.execute("select pg_notify('sandan_runs', '')")
    finally:
        await conn.close()
    return int(pk)


async def write(url: str, seconds: int) -> None:
    import orjson

    from sandan.db.engine import create_engine, create_sessionmaker
    from sandan.db.models.runs import RunStatus
    from sandan.db.repositories import runs
    from sandan.matching.solver import solve
    from sandan.resolvers.runs.prepare import prepare_instance
    from sandan.resolvers.runs.results import statistics as run_statistics
    from sandan.resolvers.runs.results import write_results

    engine = create_engine(url.replace("postgresql://", "postgresql+asyncpg://"), pool_size=2)
    sessionmaker = create_sessionmaker(engine)
    await _district_run(url.replace("+asyncpg", ""), seconds)
    async with sessionmaker() as session:
        run = await runs.claim(session, "benchmark")
    assert run is not None
    t0 = time.perf_counter()
    instance, skipped = await prepare_instance(sessionmaker, run)
    export = time.perf_counter() - t0
    t0 = time.perf_counter()
    solution = solve(instance, time_limit=seconds, workers=1, seed=1)
    solved = time.perf_counter() - t0
    sizes = {key: len(instance[key]) for key in ("needs", "people", "resources")}
    stats = run_statistics(sizes, solution, {"export": export}, skipped)
    t0 = time.perf_counter()
    ok = await write_results(
        sessionmaker,
        run,
        solution,
        orjson.dumps(solution).decode(),
        RunStatus.SUCCEEDED,
        stats,
        None,
    )
    wrote = time.perf_counter() - t0
    await engine.dispose()
    print(
        f"district: {len(instance['needs'])} needs; export {export:.1f} s; solve {solved:.1f} s; "
        f"wrote {len(solution['deeds'])} proposals and {len(solution['unmatched'])} unmatched "
        f"in {wrote:.2f} s (ok={ok})"
    )


async def _solving(conn: asyncpg.Connection, pk: int) -> None:
    """Until the run reports progress: its export is done and the child is solving."""
    query = "select progress from optimisation_runs where id = $1"
    for _ in range(600):
        if await conn.fetchval(query, pk) is not None:
            return
        await asyncio.sleep(0.5)
    raise RuntimeError("the district run never started solving")


async def _phases(url: str, pk: int, seconds: float) -> list[tuple[float, str]]:
    """When the run's reported phase changed, for reading stalls against the solver's steps."""
    conn = await asyncpg.connect(url)
    seen: list[tuple[float, str]] = []
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            query = "select progress->>'phase' from optimisation_runs where id = $1"
            progress = await conn.fetchval(query, pk)
            phase = str(progress)[:60]
            if not seen or seen[-1][1] != phase:
                seen.append((time.monotonic(), phase))
            await asyncio.sleep(0.1)
    finally:
        await conn.close()
    return seen


async def latency(url: str, seconds: int, port: int, duration: int) -> None:
    targets = await pick_targets(url)
    body = targets["village_body"]
    server = start_server(url, port, 1, "json in PostgreSQL")
    try:
        await fixed_rate(port, body, 50, 3)  # warm-up
        idle_slow: list[tuple[float, float]] = []
        idle = await fixed_rate(port, body, 50, duration, idle_slow)
        idle_slowest = [(round(ms), round(at, 1)) for ms, at in idle_slow]
        pk = await _district_run(url, seconds)
        conn = await asyncpg.connect(url)
        try:
            await _solving(conn, pk)
            phases = asyncio.create_task(_phases(url, pk, duration))
            t_busy = time.monotonic()
            busy_slow: list[tuple[float, float]] = []
            busy = await fixed_rate(port, body, 50, duration, busy_slow)
            slowest = [(round(ms), round(at, 1)) for ms, at in busy_slow]
            timeline = await phases
            steps = [(round(t - t_busy, 1), phase) for t, phase in timeline]
            print("run phases (s into the measurement):", steps)
            print("slowest requests idle (ms, s into the measurement):", idle_slowest)
            print("slowest requests while solving (ms, s into the measurement):", slowest)
            status = await conn.fetchval("select status from optimisation_runs where id=$1", pk)
            # Ended here, not by a cancel request: a server stopping mid-run would queue it again.
            await conn.execute(
                "update optimisation_runs set status = 'CANCELLED' where id = $1", pk
            )
        finally:
            await conn.close()
    finally:
        server.terminate()
        server.wait()
    print(f"village query at 50 req/s, {duration} s each, 1 server process:")
    for label, r in (("idle", idle), ("solving", busy)):
        print(f"  {label}: p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, failed {r['failed']:.0f}")
    print(f"  (the run was {status} at the end of the measurement)")
    print(f"  p99 ratio {busy['p99'] / idle['p99']:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["write", "latency"])
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/sandan_bench"
    )
    parser.add_argument("--time-limit", type=int, default=60)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    if args.what == "write":
        asyncio.run(write(args.database_url, args.time_limit))
    else:
        asyncio.run(latency(args.database_url, args.time_limit, args.port, args.duration))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
