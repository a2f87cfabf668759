"""p99 latency of `claimTask` under 50 concurrent claimers, against a real uvicorn server.

Starts `sandan serve --demo` on 127.0.0.1 (a fresh database, or the one given), reads the demo
tokens it prints, opens the demo village's needs to partners as its village staff, then for
each task sends 50 claimTask requests at once over HTTP (one slot: one wins, 49 are refused
ALREADY_CLAIMED) and times each request from send to answer.

    flock -x /tmp/sandan-cpu.lock python benchmarks/claims_bench.py [DATABASE_URL] [ROUNDS]

Figures are in BENCHMARKS.md.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

CLAIMERS = 50
PORT = 8765
URL = f"http://127.0.0.1:{PORT}/graphql"
CLAIM = """mutation($t: ID!, $p: [ID!]!) { claimTask(task: $t, people: $p) {
  claim { id } errors { code } } }"""


async def gql(client: httpx.AsyncClient, token: str, query: str, **variables: Any) -> Any:
    response = await client.post(
        URL,
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def start_server(database_url: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SANDAN_PARTNER_CLAIM_CAP="1000000",  # the cap is not what is measured
        SANDAN_STAFF_RATE="0",
        SANDAN_PUBLIC_RATE="0",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "sandan.cli", "serve", "--demo", "--port", str(PORT)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    tokens: dict[str, str] = {}
    assert server.stderr is not None
    for line in server.stderr:
        found = re.match(r"\s+(\w+)\s.*Bearer (\S+)", line)
        if found:
            tokens[found[1]] = found[2]
        if "GraphQL at" in line:
            break
    return server, tokens


async def ready(client: httpx.AsyncClient) -> None:
    for _ in range(100):
        try:
            await client.post(URL, json={"query": "{ viewer { role } }"})
            return
        except httpx.TransportError:
            await asyncio.sleep(0.2)
    raise SystemExit("the server did not start")


async def open_tasks(client: httpx.AsyncClient, staff: str, rounds: int) -> list[str]:
    """Open `rounds` needs of the staff's village (their windows moved past today first,
    as the demo's lie in its planning period)."""
    cell = (await gql(client, staff, "{ viewer { scope { id code } } }"))["viewer"]["scope"]
    needs = await gql(
        client,
        staff,
        "query($c: ID) { needs(filter: {under: $c, status: [OPEN]}, first: 100) "
        "{ nodes { id deed { id } } } }",
        c=cell["id"],
    )
    tasks = []
    for need in needs["needs"]["nodes"]:
        if need["deed"] is not None or len(tasks) == rounds:
            continue
        await gql(
            client,
            staff,
            "mutation($n: ID!, $to: Date!) { updateNeed(id: $n, input: {windowTo: $to}) "
            "{ errors { code } } }",
            n=need["id"],
            to=str(date.today() + timedelta(days=60)),
        )
        opened = await gql(
            client,
            staff,
            "mutation($n: ID!) { openToPartners(need: $n) { task { id } errors { code } } }",
            n=need["id"],
        )
        if opened["openToPartners"]["task"]:
            tasks.append(opened["openToPartners"]["task"]["id"])
    return tasks


async def timed_claim(
    client: httpx.AsyncClient, token: str, task: str, people: list[str]
) -> tuple[float, str]:
    start = time.perf_counter()
    data = await gql(client, token, CLAIM, t=task, p=people)
    elapsed = time.perf_counter() - start
    errors = data["claimTask"]["errors"]
    return elapsed, errors[0]["code"] if errors else "OK"


async def measure(rounds: int) -> None:
    database_url = sys.argv[1] if len(sys.argv) > 1 else ""
    if not database_url:
        database_url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'claims.sqlite3'}"
    server, tokens = start_server(database_url)
    try:
        limits = httpx.Limits(max_connections=CLAIMERS)
        async with httpx.AsyncClient(timeout=60, limits=limits) as client:
            await ready(client)
            staff, partner = tokens["VILLAGE_STAFF"], tokens["PARTNER"]
            tasks = await open_tasks(client, staff, rounds)
            me = await gql(
                client, partner, "{ viewer { account { organisation { members { id } } } } }"
            )
            people = [p["id"] for p in me["viewer"]["account"]["organisation"]["members"]][:1]
            latencies: list[float] = []
            outcomes: Counter[str] = Counter()
            for task in tasks:
                results = await asyncio.gather(
                    *(timed_claim(client, partner, task, people) for _ in range(CLAIMERS))
                )
                latencies += [elapsed for elapsed, _ in results]
                outcomes.update(outcome for _, outcome in results)
    finally:
        server.terminate()
        server.wait()
    latencies.sort()
    ms = [x * 1000 for x in latencies]
    p99 = ms[int(len(ms) * 0.99) - 1]
    print(f"database: {database_url.split(':')[0]}; {len(tasks)} tasks x {CLAIMERS} claimers")
    print(f"outcomes: {dict(outcomes)}")
    print(
        f"claimTask ms: p50 {statistics.median(ms):.1f}  p99 {p99:.1f}  max {ms[-1]:.1f}  "
        f"(n={len(ms)})"
    )


if __name__ == "__main__":
    asyncio.run(measure(int(sys.argv[2]) if len(sys.argv) > 2 else 20))
