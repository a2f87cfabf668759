"""HTTP benchmark of the GraphQL API on PostgreSQL with the district demo data.

Runs a real uvicorn server per configuration (compiled read path on/off, 1 or 2 workers) and
measures, side by side in one run:
  (a) one village nested down to people (7 branches, ~17 groups, ~190 people);
  (b) a 100-row page of needs filtered by town and category.
Throughput: wrk, 8 connections, closed loop. Latency at a fixed 50 requests/s: an open-loop
client that measures from each request's scheduled time (no coordinated omission).
Figures are medians over --runs runs.

    python benchmarks/api_bench.py --load-district   # once: creates and fills the database
    python benchmarks/api_bench.py --runs 3 --duration 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from sandan import subprocess_server

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/sandan_bench"

VILLAGE = """query($code: String!) { cell(code: $code) { id code name level
  children { id code name kind children { id code name leader { name }
    people { id name kind role partyMember skills hours maxDeeds maxLead reach } } } } }"""
NEEDS_PAGE = """query($f: NeedFilter) { needs(filter: $f, first: 100) { totalCount
  pageInfo { hasNextPage endCursor }
  nodes { id title category urgency status volunteers hours skills reportedOn cell { code } } } }"""

WRK_LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open(os.getenv("BODY"), "r"); wrk.body = f:read("*a"); f:close()
"""


async def pick_targets(url: str) -> dict[str, Any]:
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow(
            """select v.code, v.path, count(distinct b.id) branches, count(distinct g.id) groups,
                      count(p.id) people
               from cells v join cells b on b.parent_id = v.id join cells g on g.parent_id = b.id
               left join people p on p.cell_id = g.id
               where v.level = 'VILLAGE' group by v.code, v.path having count(distinct b.id) = 7
               order by abs(count(p.id) - 190), v.code limit 1"""
        )
        town_id = int(row["path"].strip("/").split("/")[1])
        town = await conn.fetchrow("select code from cells where id = $1", town_id)
    finally:
        await conn.close()
    import base64

    town_gid = base64.b64encode(f"Cell:{town_id}".encode()).decode()
    return {
        "village": dict(row),
        "town": town["code"],
        "village_body": {"query": VILLAGE, "variables": {"code": row["code"]}},
        "needs_body": {
            "query": NEEDS_PAGE,
            "variables": {"f": {"under": town_gid, "category": ["DAILY_LIFE"]}},
        },
    }


# Read paths: label -> environment. "json in PostgreSQL" builds whole roots it can as one
# statement (sandan.db.json_reads); "compiled" runs planned documents through the loaders;
# "strawberry" runs every request through strawberry's executor with DataLoaders.
PATHS = {
    "json in PostgreSQL": {"SANDAN_PLANNED_READS": "1", "SANDAN_JSON_READS": "1"},
    "compiled": {"SANDAN_PLANNED_READS": "1", "SANDAN_JSON_READS": "0"},
    "strawberry": {"SANDAN_PLANNED_READS": "0", "SANDAN_JSON_READS": "0"},
}


def start_server(db_url: str, port: int, workers: int, path: str) -> subprocess.Popen[bytes]:
    # One load generator stands for many residents: the per-address rate limit (20/s, which
    # answers 429 beyond it) would measure the limiter, not the read path.
    env = {**os.environ, "DATABASE_URL": db_url, "SANDAN_PUBLIC_RATE": "0", **PATHS[path]}
    options = ("--workers", str(workers), "--no-access-log")
    return subprocess_server.start_server(port, env, *options, seconds=30, cwd=ROOT)


def wrk(port: int, body_file: str, lua: str, seconds: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            "-c8",
            f"-d{seconds}s",
            "--latency",
            "-s",
            lua,
            f"http://127.0.0.1:{port}/graphql",
        ],
        env={**os.environ, "BODY": body_file},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out:
        raise RuntimeError(out)

    def ms(label: str) -> float:
        m = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", out)
        assert m, out
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
        return float(m.group(1)) * scale

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return {"rps": rps, "p50": ms("50%"), "p99": ms("99%")}


async def _post_raw(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> None:
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(head.split(b"\r\n", 1)[0].decode())
    length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
    await reader.readexactly(length)


async def fixed_rate(
    port: int,
    body: dict[str, Any],
    rate: float,
    seconds: float,
    slowest: list[tuple[float, float]] | None = None,
) -> dict[str, float]:
    """Open loop: request i is due at start + i/rate, whatever happened to the ones before, and
    its latency counts from when it was due. Plain keep-alive sockets keep the client's own CPU
    small next to the server's on a 2-core machine; failures are counted, not hidden. Given a
    `slowest` list, it receives the 12 slowest requests (latency ms, seconds into the window),
    for reading stalls against what else happened then."""
    payload = json.dumps(body).encode()
    request = (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    latencies: list[float] = []
    slow: list[tuple[float, float]] = []
    failures = 0
    total = int(rate * seconds)
    start = time.perf_counter() + 0.2

    async def one(i: int) -> None:
        nonlocal failures
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        reused = bool(idle)
        conn = idle.pop() if reused else await asyncio.open_connection("127.0.0.1", port)
        try:
            await asyncio.wait_for(_post_raw(*conn, request), timeout=30)
        except (TimeoutError, OSError, RuntimeError, asyncio.IncompleteReadError):
            conn[1].close()
            if not reused:
                failures += 1
                return
            # The server closes keep-alive connections idle for 5 s; like any HTTP client,
            # send once more on a fresh connection before calling it a failure.
            conn = await asyncio.open_connection("127.0.0.1", port)
            try:
                await asyncio.wait_for(_post_raw(*conn, request), timeout=30)
            except (TimeoutError, OSError, RuntimeError, asyncio.IncompleteReadError):
                failures += 1
                conn[1].close()
                return
        latencies.append((time.perf_counter() - due) * 1000)
        slow.append((latencies[-1], due - start))
        idle.append(conn)

    await asyncio.gather(*(one(i) for i in range(total)))
    for _, writer in idle:
        writer.close()
    if slowest is not None:
        slowest[:] = sorted(slow, reverse=True)[:12]
    latencies.sort()
    if not latencies:
        return {"p50": float("nan"), "p99": float("nan"), "failed": float(failures)}
    return {
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "failed": float(failures),
    }


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--load-district", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--write", action="store_true", help="put the table into BENCHMARKS.md")
    parser.add_argument(
        "--paths", default=",".join(PATHS), help=f"comma-separated, of: {', '.join(PATHS)}"
    )
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    args = parser.parse_args()

    if args.load_district:
        name = args.database_url.rsplit("/", 1)[1]
        admin = args.database_url.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-qc", f'drop database if exists "{name}"'], check=True)
        subprocess.run(["psql", admin, "-qc", f'create database "{name}"'], check=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sandan.cli",
                "demo",
                "--scale",
                "district",
                "--database-url",
                args.database_url,
            ],
            check=True,
            cwd=ROOT,
        )
        # Fresh tables: without this, autovacuum works through them during the first runs
        # (measured: p99 133 ms instead of 16 ms at 50 requests/s on the first server).
        subprocess.run(["psql", args.database_url, "-qc", "vacuum analyze"], check=True)

    targets = asyncio.run(pick_targets(args.database_url))
    tmp = Path(tempfile.mkdtemp())
    lua = tmp / "post.lua"
    lua.write_text(WRK_LUA)
    bodies = {"a": tmp / "a.json", "b": tmp / "b.json"}
    bodies["a"].write_text(json.dumps(targets["village_body"]))
    bodies["b"].write_text(json.dumps(targets["needs_body"]))

    paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    unknown = [p for p in paths if p not in PATHS]
    if unknown:
        parser.error(f"unknown paths {unknown}; known: {list(PATHS)}")
    configs = [(label, int(w)) for label in paths for w in args.workers.split(",")]
    rows = []
    for label, workers in configs:
        proc = start_server(args.database_url, args.port, workers, label)
        try:
            for key, title in (
                ("a", "village nested to people"),
                ("b", "100 needs by town+category"),
            ):
                body = json.loads(bodies[key].read_text())
                reply = httpx.post(f"http://127.0.0.1:{args.port}/graphql", json=body).json()
                assert "errors" not in reply, reply
                wrk(args.port, str(bodies[key]), str(lua), 2)  # warm-up
                loads = [
                    wrk(args.port, str(bodies[key]), str(lua), args.duration)
                    for _ in range(args.runs)
                ]
                fixed = [
                    asyncio.run(fixed_rate(args.port, body, 50, args.duration))
                    for _ in range(args.runs)
                ]
                rows.append(
                    {
                        "query": title,
                        "server": f"{label}, {workers} worker{'s' if workers > 1 else ''}",
                        "rps": statistics.median(r["rps"] for r in loads),
                        "p50": statistics.median(r["p50"] for r in loads),
                        "p99": statistics.median(r["p99"] for r in loads),
                        "p50_50": statistics.median(r["p50"] for r in fixed),
                        "p99_50": statistics.median(r["p99"] for r in fixed),
                        "failed_50": sum(r["failed"] for r in fixed),
                    }
                )
                print(rows[-1], file=sys.stderr)
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    village = targets["village"]
    lines = [
        f"Machine: {machine()}. PostgreSQL 15 on the same machine; load generator on it too.",
        f"Data: district demo (`sandan demo --scale district`); (a) village {village['code']} "
        f"({village['branches']} branches, {village['groups']} groups, "
        f"{village['people']} people); "
        f"(b) town {targets['town']}, category DAILY_LIFE, first 100.",
        f"Medians of {args.runs} runs of {args.duration} s each.",
        "",
        "| query | server | req/s (wrk, 8 conns) | p50 ms | p99 ms "
        "| p50 ms @ 50 req/s | p99 ms @ 50 req/s | failed @ 50 req/s |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['query']} | {r['server']} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} "
            f"| {r['p50_50']:.1f} | {r['p99_50']:.1f} | {r['failed_50']:.0f} |"
        )
    table = "\n".join(lines)
    print(table)
    if args.write:
        path = ROOT / "BENCHMARKS.md"
        text = path.read_text() if path.exists() else "# Benchmarks\n"
        start, end = "<!-- api-bench:start -->", "<!-- api-bench:end -->"
        block = f"{start}\n{table}\n{end}"
        if start in text:
            text = re.sub(
                re.escape(start) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S
            )
        else:
            command = "python benchmarks/api_bench.py --runs 3 --duration 10 --write"
            text += f"\n## API over HTTP\n\n`{command}`\n\n{block}\n"
        path.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
