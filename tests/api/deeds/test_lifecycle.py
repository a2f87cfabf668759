"""The deed lifecycle over HTTP: each step by the roles allowed, recorded in the history,
refused in the wrong state (naming it), village-level approval for major deeds, and
conditional writes (two concurrent publishes: one wins, the other gets CONFLICT)."""

from __future__ import annotations

import asyncio

from tests.api.deeds.helpers import (
    APPROVE,
    CANCEL,
    COMPLETE,
    PUBLISH,
    START,
    Place,
    deed_in,
    place_of,
    refused_with,
    set_scale,
    step,
)
from tests.api.helpers import execute, scalar, sql
from tests.conftest import api_client


async def _setup(url: str, status: str) -> Place:
    return await place_of(url, await deed_in(url, status))


async def test_a_deed_walks_its_lifecycle_and_every_step_is_in_its_history(demo_url: str) -> None:
    p = await _setup(demo_url, "PROPOSED")
    await set_scale(demo_url, p.deed, "SMALL")
    async with api_client(demo_url) as client:
        # Another branch's secretary may not approve it (refused on the deed named); the
        # deed's own branch may, for an ordinary deed.
        assert refused_with(await step(client, p.other_branch, APPROVE, id=p.deed_id)) == {
            ("FORBIDDEN", "id")
        }
        approved = await step(client, p.branch, APPROVE, id=p.deed_id)
        assert approved["errors"] == [] and approved["deed"]["status"] == "APPROVED"
        published = await step(client, p.village, PUBLISH, id=p.deed_id)
        assert published["deed"]["status"] == "PUBLISHED"
        assert published["deed"]["publishedAt"] is not None
        # Progress belongs to the deed's own branch, not to another one.
        assert refused_with(await step(client, p.other_branch, START, id=p.deed_id)) == {
            ("FORBIDDEN", "id")
        }
        # A town admin approves and publishes but does not report progress: not their role.
        assert refused_with(await step(client, p.town, START, id=p.deed_id)) == {
            ("FORBIDDEN", None)
        }
        started = await step(client, p.branch, START, id=p.deed_id)
        assert started["deed"]["status"] == "IN_PROGRESS"
        done = await step(client, p.branch, COMPLETE, id=p.deed_id, note=None)
        assert done["deed"]["status"] == "COMPLETED"
        history = done["deed"]["history"]
        assert [(h["fromStatus"], h["toStatus"], h["actorRole"]) for h in history] == [
            ("PROPOSED", "APPROVED", "BRANCH_SECRETARY"),
            ("APPROVED", "PUBLISHED", "VILLAGE_STAFF"),
            ("PUBLISHED", "IN_PROGRESS", "BRANCH_SECRETARY"),
            ("IN_PROGRESS", "COMPLETED", "BRANCH_SECRETARY"),
        ]
        # A step from the wrong state names the state the deed is in.
        again = await step(client, p.village, APPROVE, id=p.deed_id)
        assert refused_with(again) == {("ILLEGAL_TRANSITION", "id")}
        assert "COMPLETED" in again["errors"][0]["message"]
        # Cancelling a finished deed is refused too.
        late = await step(client, p.village, CANCEL, id=p.deed_id, reason="不再需要")
        assert refused_with(late) == {("ILLEGAL_TRANSITION", "id")}
    need = await scalar(
        demo_url,
        f"SELECT n.status FROM needs n JOIN deeds d ON d.need_id = n.id WHERE d.id = {p.deed}",
    )
    assert need == "DONE"
    published_flag = await scalar(demo_url, f"SELECT published FROM deeds WHERE id = {p.deed}")
    assert published_flag in (True, 1)
    events = await sql(demo_url, f"SELECT event FROM notifications WHERE deed_id = {p.deed}")
    assert {e["event"] for e in events} >= {"APPROVED", "PUBLISHED", "COMPLETED"}


async def test_a_branch_cannot_approve_or_publish_a_major_deed_alone(demo_url: str) -> None:
    p = await _setup(demo_url, "PROPOSED")
    await set_scale(demo_url, p.deed, "MAJOR")
    async with api_client(demo_url) as client:
        for mutation in (APPROVE, PUBLISH):
            payload = await step(client, p.branch, mutation, id=p.deed_id)
            assert refused_with(payload) == {("VILLAGE_APPROVAL_REQUIRED", None)}
        assert (await step(client, p.village, APPROVE, id=p.deed_id))["errors"] == []
        assert refused_with(await step(client, p.branch, PUBLISH, id=p.deed_id)) == {
            ("VILLAGE_APPROVAL_REQUIRED", None)
        }
        assert (await step(client, p.village, PUBLISH, id=p.deed_id))["errors"] == []


async def test_funds_above_the_threshold_need_village_approval(demo_url: str) -> None:
    p = await _setup(demo_url, "PROPOSED")
    await set_scale(demo_url, p.deed, "SMALL")
    funds = await sql(demo_url, "SELECT MIN(id) AS id FROM resources WHERE kind = 'FUNDS'")
    assert funds[0]["id"] is not None, "the demo has a FUNDS resource"
    await execute(
        demo_url,
        f"INSERT INTO deed_resources (deed_id, resource_id, quantity) "
        f"VALUES ({p.deed}, {funds[0]['id']}, 5)",
    )
    async with api_client(demo_url, village_approval_funds=4) as client:
        payload = await step(client, p.branch, APPROVE, id=p.deed_id)
        assert refused_with(payload) == {("VILLAGE_APPROVAL_REQUIRED", None)}
        assert "funding threshold" in payload["errors"][0]["message"]


async def test_two_concurrent_publishes_one_wins_the_other_gets_conflict(demo_url: str) -> None:
    p = await _setup(demo_url, "PROPOSED")
    async with api_client(demo_url) as client:
        assert (await step(client, p.village, APPROVE, id=p.deed_id))["errors"] == []
        answers = await asyncio.gather(
            *(step(client, p.village, PUBLISH, id=p.deed_id) for _ in range(2))
        )
    outcomes = sorted("won" if a["errors"] == [] else a["errors"][0]["code"] for a in answers)
    assert outcomes == ["CONFLICT", "won"], answers
    published = await scalar(
        demo_url,
        f"SELECT COUNT(*) FROM deed_history WHERE deed_id = {p.deed} AND to_status = 'PUBLISHED'",
    )
    assert published == 1


async def test_cancel_needs_a_reason_and_reopens_the_need(demo_url: str) -> None:
    p = await _setup(demo_url, "PUBLISHED")
    async with api_client(demo_url) as client:
        blank = await step(client, p.village, CANCEL, id=p.deed_id, reason="  ")
        assert refused_with(blank) == {("REQUIRED", "reason")}
        public = await step(client, None, CANCEL, id=p.deed_id, reason="资金未到位")
        assert refused_with(public) == {("FORBIDDEN", None)}
        done = await step(client, p.village, CANCEL, id=p.deed_id, reason="资金未到位")
        assert done["deed"]["status"] == "CANCELLED"
        assert done["deed"]["history"][-1]["note"] == "资金未到位"
    need = await scalar(
        demo_url,
        f"SELECT n.status FROM needs n JOIN deeds d ON d.need_id = n.id WHERE d.id = {p.deed}",
    )
    assert need == "OPEN"
