"""The audit trail's cost on reads: the same requests with the audit code paths removed ("off":
no household noted in `from_row`, no AuditTrail middleware) and present ("on"), side by side in
one run, each configuration in its own process, alternating, each measured run under the
exclusive CPU lock when one is given.

    python benchmarks/audit_bench.py --database-url postgresql+asyncpg://…/db --rounds 3

Queries: (a) the nested village query of api_bench.py (public: no personal data, no record);
(b) the same village down to its households' names, phones and addresses as a staff token (every
request is served personal data of a few hundred households and writes one audit record).
In-process (httpx over ASGI, no network), sequential requests; figures are per request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from api_bench import VILLAGE  # noqa: E402

HOUSEHOLDS = """query($code: String!) { cell(code: $code) { id code
  children { id code children { id code households { id code headName phone address size
    elderlyAlone disability lowIncome } } } } }"""
TOKEN = "audit-bench-token"


async def _measure(url: str, audit: bool, code: str, requests: int) -> dict[str, float]:
    from sandan.schema import read_audit

    if not audit:
        read_audit.HOUSEHOLD_OF.clear()  # before any row mapping is built
    import httpx

    import sandan.app as app_module
    from sandan.settings import Settings

    if not audit:
        app_module.AuditTrail = lambda inner, viewer_of: inner  # type: ignore[assignment,misc]
    settings = Settings(
        database_url=url,
        staff_tokens={TOKEN: "*"},
        staff_query_budget=10**9,
        public_query_budget=10**9,
        # Sequential requests from one address outrun the per-client rate limits (429s would
        # be timed as fast answers): the limiter is not what is measured.
        public_rate=0,
        staff_rate=0,
    )
    app = app_module.create_app(settings)
    results: dict[str, float] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, query, token in (
                ("village", VILLAGE, None),
                ("households", HOUSEHOLDS, TOKEN),
            ):
                headers = {"authorization": f"Bearer {token}"} if token else {}
                body = {"query": query, "variables": {"code": code}}
                for _ in range(5):
                    response = await client.post("/graphql", json=body, headers=headers)
                    assert response.status_code == 200 and "errors" not in response.json()
                times = []
                for _ in range(requests):
                    start = time.perf_counter()
                    response = await client.post("/graphql", json=body, headers=headers)
                    times.append(time.perf_counter() - start)
                    assert response.status_code == 200, response.status_code
                results[name] = statistics.median(times) * 1000
    return results


def _village(url: str) -> str:
    import asyncpg

    async def pick() -> str:
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            return str(
                await conn.fetchval(
                    "select v.code from cells v join cells b on b.parent_id = v.id "
                    "join cells g on g.parent_id = b.id join households h on h.cell_id = g.id "
                    "where v.level = 'VILLAGE' group by v.code order by count(*) desc limit 1"
                )
            )
        finally:
            await conn.close()

    return asyncio.run(pick())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--lock", help="a file to hold with flock -x around each measured run")
    parser.add_argument("--worker", choices=["on", "off"])
    parser.add_argument("--code")
    args = parser.parse_args()
    if args.worker:
        figures = asyncio.run(
            _measure(args.database_url, args.worker == "on", args.code, args.requests)
        )
        print(json.dumps(figures))
        return
    code = _village(args.database_url)
    runs: dict[str, list[dict[str, Any]]] = {"off": [], "on": []}
    for _ in range(args.rounds):
        for mode in ("off", "on"):
            command = [sys.executable, __file__, "--database-url", args.database_url]
            command += ["--worker", mode, "--code", code, "--requests", str(args.requests)]
            if args.lock:
                command = ["flock", "-x", args.lock, *command]
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            runs[mode].append(json.loads(out.strip().splitlines()[-1]))
    print(f"village {code}; median ms per request over {args.rounds} runs of {args.requests}")
    for query in ("village", "households"):
        off = statistics.median(r[query] for r in runs["off"])
        on = statistics.median(r[query] for r in runs["on"])
        print(f"{query:10s} off {off:8.2f}  on {on:8.2f}  change {100 * (on - off) / off:+.1f}%")


if __name__ == "__main__":
    main()
