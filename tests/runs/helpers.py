"""Helpers of the runs tests: the GraphQL they send and waiting for a run to end."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from tests.api.helpers import data_of, gid, scalar, sql
from tests.conftest import gql

PERIOD = {"from": "2026-05-01", "to": "2026-08-31"}
FINAL = ("SUCCEEDED", "FAILED", "CANCELLED")

START = """
mutation Start($input: StartOptimisationInput!) {
  startOptimisation(input: $input) { run { id status } errors { code field message } }
}"""

RUN = """
query Run($id: ID!) {
  optimisationRun(id: $id) {
    id status attempts failure startedBy
    progress { phase fraction bestPrioritySum provedBound gap }
    statistics {
      needs people deedsProposed unmatched unmatchedByReason { reason count } stoppedPastTimeLimit
    }
  }
}"""

PROPOSALS = """
query Proposals($id: ID!) {
  optimisationRun(id: $id) {
    proposals(first: 100) {
      totalCount
      nodes {
        explanation
        deed {
          id status need { id } lead { id } team { id } resources { quantity resource { id } }
        }
      }
    }
    unmatched(first: 100) { totalCount nodes { reasons need { id unmatchedReasons } } }
  }
}"""


async def cell_gid(url: str, code: str) -> str:
    return gid("Cell", int(await scalar(url, "SELECT id FROM cells WHERE code = :c", {"c": code})))


async def start(
    client: httpx.AsyncClient, cell: str, *, seconds: int = 5, period: dict[str, str] = PERIOD
) -> str:
    body = await gql(
        client, START, {"input": {"cell": cell, **period, "timeLimitSeconds": seconds}}
    )
    payload = data_of(body)["startOptimisation"]
    assert payload["errors"] == [], payload
    # The payload reads the run after the commit: a worker already running may have taken it
    # (tests/runs/test_run_reads.py asserts QUEUED where no worker runs).
    assert payload["run"]["status"] in ("QUEUED", "RUNNING"), payload
    run_id: str = payload["run"]["id"]
    return run_id


async def wait_for_end(client: httpx.AsyncClient, run_id: str, limit: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        run: dict[str, Any] = data_of(await gql(client, RUN, {"id": run_id}))["optimisationRun"]
        if run["status"] in FINAL:
            return run
        await asyncio.sleep(0.2)
    raise AssertionError(f"run {run_id} did not end within {limit} s")


async def overcommitted(url: str) -> list[dict[str, Any]]:
    """People or resources holding more in active deeds than they have (straight from SQL)."""
    active = "('PROPOSED', 'APPROVED', 'PUBLISHED', 'IN_PROGRESS')"
    return await sql(
        url,
        f"""
        SELECT 'person' AS kind, p.id FROM people p
        WHERE (SELECT count(*) FROM deed_members m JOIN deeds d ON d.id = m.deed_id
               WHERE m.person_id = p.id AND m.role = 'TEAM' AND d.status IN {active}) > p.max_deeds
           OR (SELECT count(*) FROM deeds d WHERE d.lead_id = p.id AND d.status IN {active})
              > p.max_lead
        UNION ALL
        SELECT 'resource', r.id FROM resources r
        WHERE (SELECT coalesce(sum(u.quantity), 0) FROM deed_resources u
               JOIN deeds d ON d.id = u.deed_id WHERE u.resource_id = r.id
               AND d.status IN {active}) > r.capacity
        """,
    )
