"""Concurrent writers through the real app: of racing changes exactly the ones the final row
shows are reported as done, and the losers get a typed error (issue 9, integrity)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.api.helpers import gid, scalar
from tests.api.mutations.documents import CLOSE_NEED
from tests.api.mutations.helpers import Demo, load_demo, run
from tests.conftest import STAFF_TOKEN, api_client

UPDATE = """mutation($id: ID!, $input: UpdateNeedInput!) {
  updateNeed(id: $id, input: $input) { need { id title version } errors { code field message } }
}"""
CREATE = """mutation($input: CreateNeedInput!) {
  createNeed(input: $input) { need { id title version } errors { code field message } }
}"""


@pytest.fixture
async def demo(demo_url: str) -> Demo:
    return await load_demo(demo_url)


async def _all(client: Any, calls: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    return list(await asyncio.gather(*(run(client, doc, var) for doc, var in calls)))


async def test_fifty_concurrent_closes_close_once(demo: Demo) -> None:
    need = gid("Need", demo.open_need)
    calls = [(CLOSE_NEED, {"id": need, "reason": f"理由 {i}"}) for i in range(50)]
    async with api_client(demo.url, token=STAFF_TOKEN) as client:
        payloads = await _all(client, calls)
    won = [p for p in payloads if not p["errors"]]
    lost = [p for p in payloads if p["errors"]]
    assert len(won) == 1, [p["errors"] for p in payloads]
    assert all({e["code"] for e in p["errors"]} <= {"ALREADY_CLOSED", "CONFLICT"} for p in lost)
    stored = await scalar(demo.url, f"SELECT close_reason FROM needs WHERE id = {demo.open_need}")
    assert stored == won[0]["need"]["closeReason"]
    assert await scalar(demo.url, f"SELECT version FROM needs WHERE id = {demo.open_need}") == 2


async def test_no_update_lands_after_a_close(demo: Demo) -> None:
    need = gid("Need", demo.open_need)
    calls = [(UPDATE, {"id": need, "input": {"title": f"新标题 {i}"}}) for i in range(29)]
    calls.insert(10, (CLOSE_NEED, {"id": need, "reason": "不再需要"}))
    async with api_client(demo.url, token=STAFF_TOKEN) as client:
        payloads = await _all(client, calls)
    closed = payloads[10]
    assert closed["errors"] == [], closed
    updates = [p for i, p in enumerate(payloads) if i != 10]
    landed = [p["need"] for p in updates if not p["errors"]]
    # Each write bumps the version once; the close's own answer does not carry it, the row does.
    final_title = await scalar(demo.url, f"SELECT title FROM needs WHERE id = {demo.open_need}")
    version = await scalar(demo.url, f"SELECT version FROM needs WHERE id = {demo.open_need}")
    assert version == 1 + len(landed) + 1
    # Every reported update came before the close: the last one is the title the row keeps.
    if landed:
        assert max(landed, key=lambda n: n["version"])["title"] == final_title
        assert max(n["version"] for n in landed) == version - 1
    refused = [p for p in updates if p["errors"]]
    assert all(p["errors"][0]["code"] == "ALREADY_CLOSED" for p in refused)
    assert len(refused) + len(landed) == 29


async def test_an_update_from_a_stale_read_is_a_conflict(demo: Demo) -> None:
    need = gid("Need", demo.open_need)
    async with api_client(demo.url, token=STAFF_TOKEN) as client:
        first = await run(client, UPDATE, {"id": need, "input": _read_at("甲", 1)})
        assert first["errors"] == [] and first["need"]["version"] == 2
        stale = await run(client, UPDATE, {"id": need, "input": _read_at("乙", 1)})
    assert [(e["code"], e["field"]) for e in stale["errors"]] == [("CONFLICT", "expectedVersion")]
    assert await scalar(demo.url, f"SELECT title FROM needs WHERE id = {demo.open_need}") == "甲"


def _read_at(title: str, version: int) -> dict[str, Any]:
    return {"title": title, "expectedVersion": version}


def _new_need(demo: Demo, key: str, title: str = "代购药品") -> dict[str, Any]:
    return {
        "input": {
            "cell": gid("Cell", demo.group),
            "title": title,
            "category": "DAILY_LIFE",
            "channel": "HOUSEHOLD_VISIT",
            "idempotencyKey": key,
        }
    }


async def test_one_idempotency_key_from_twenty_requests_makes_one_record(demo: Demo) -> None:
    before = await scalar(demo.url, "SELECT COUNT(*) FROM needs")
    calls = [(CREATE, _new_need(demo, "retry-7f3a"))] * 20
    async with api_client(demo.url, token=STAFF_TOKEN) as client:
        payloads = await _all(client, calls)
        assert all(p["errors"] == [] for p in payloads), [p["errors"] for p in payloads]
        assert len({p["need"]["id"] for p in payloads}) == 1
        assert await scalar(demo.url, "SELECT COUNT(*) FROM needs") == before + 1
        other = await run(client, CREATE, _new_need(demo, "retry-7f3a", title="别的需求"))
    assert [(e["code"], e["field"]) for e in other["errors"]] == [
        ("IDEMPOTENCY_MISMATCH", "idempotencyKey")
    ]
    assert await scalar(demo.url, "SELECT COUNT(*) FROM needs") == before + 1
