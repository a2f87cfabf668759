"""What an account token costs per request: `{ __typename }` through the whole app (guard,
token check, strawberry) in-process, without a token, with a configured bootstrap token (cached
in memory) and with an account token (its keyed hash looked up in the database on every
request, so a revocation holds at once; the last-used time written at most once a minute).

    python benchmarks/token_lookup.py --database-url postgresql://postgres@127.0.0.1:5432/x
    python benchmarks/token_lookup.py            # a temporary SQLite file

The database gets the tiny demo (it must be empty or hold it already) and one account.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sandan.app import create_app
from sandan.db.bulk import is_empty, load
from sandan.db.engine import create_nullpool_engine
from sandan.db.enums import Role
from sandan.db.migrate import upgrade_to_head
from sandan.demo.generate import generate
from sandan.settings import Settings
from tests.accounts import make_token

BOOTSTRAP = "bench-bootstrap-token-0123"


async def _prepare(url: str) -> str:
    engine = create_nullpool_engine(url)
    try:
        await upgrade_to_head(engine)
        if await is_empty(engine):
            await load(engine, generate("tiny", 7))
    finally:
        await engine.dispose()
    return await make_token(url, Role.VILLAGE_STAFF, "NH-JJ-01")


async def _time(url: str, token: str | None, requests: int) -> list[float]:
    settings = Settings(database_url=url, staff_tokens={BOOTSTRAP: "*"}, public_rate=0)
    app = create_app(settings)
    headers = {"authorization": f"Bearer {token}"} if token else {}
    body = {"query": "{ __typename }"}
    times = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers=headers
        ) as client:
            for i in range(requests + 50):
                start = time.perf_counter()
                response = await client.post("/graphql", json=body)
                if i >= 50:  # the first 50 warm the caches and the pool
                    times.append(time.perf_counter() - start)
                assert response.status_code == 200, response.text
    return times


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    os.environ.setdefault("SANDAN_TOKEN_KEY", "bench-token-key-0123456789abcdef0123")
    url = args.database_url or "sqlite+aiosqlite:///" + str(
        Path(tempfile.mkdtemp()) / "bench.sqlite3"
    )
    url = url.replace("postgresql://", "postgresql+asyncpg://", 1)
    account_token = await _prepare(url)
    for label, token in (
        ("no token", None),
        ("bootstrap token", BOOTSTRAP),
        ("account token", account_token),
    ):
        times = await _time(url, token, args.requests)
        print(
            f"{label:16} median {statistics.median(times) * 1e3:.3f} ms  "
            f"p99 {statistics.quantiles(times, n=100)[98] * 1e3:.3f} ms  ({len(times)} requests)"
        )


if __name__ == "__main__":
    asyncio.run(main())
