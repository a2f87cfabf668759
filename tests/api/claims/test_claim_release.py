"""Releasing a confirmed claim, on SQLite and PostgreSQL: its people leave the deed's team (a
whole need's deed is cancelled and the need re-opened), the slot opens again, the history
records it and the people's capacity is free for later runs; refused without a reason, by
others, and once the work is done; consistent when it races a progress report or a
confirmation."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.engine import create_nullpool_engine
from sandan.db.repositories.instance import person_usage
from tests.api.claims.setup import (
    Partner,
    PartnerDemo,
    claim,
    claimed,
    one_partner,
    open_need,
    open_task,
    partner_demo,
    slot_deed,
)
from tests.api.helpers import data_of, execute, gid, pk_of, scalar, sql
from tests.conftest import api_client, gql

RELEASE = """
mutation($claim: ID!, $reason: String) {
  releaseClaim(claim: $claim, reason: $reason) {
    claim { status history { event note } } errors { code field }
  }
}"""
CONFIRM = """
mutation($claim: ID!) { confirmClaim(claim: $claim) { claim { status } errors { code } } }"""
REPORT = """
mutation($claim: ID!) {
  reportClaimProgress(claim: $claim, hours: 3, progress: 40) { claim { hours } errors { code } }
}"""
TASKS = "{ availableTasks(first: 100) { nodes { id freeSlots } } }"
DEED_HISTORY = """
query($id: ID!) { node(id: $id) { ... on Deed { status history { toStatus note } } } }"""


async def _release(client: Any, claim_id: str, reason: str | None) -> dict[str, Any]:
    body = data_of(await gql(client, RELEASE, {"claim": claim_id, "reason": reason}))
    payload: dict[str, Any] = body["releaseClaim"]
    return payload


def _codes(payload: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


async def _confirmed(p: PartnerDemo, partner: Partner, **target: int) -> tuple[str, str]:
    """A task on `target` (deed= or need=), claimed by the partner and confirmed by staff:
    (task id, claim id)."""
    url = p.demo.url
    async with api_client(url, token=p.staff) as staff:
        task = await open_task(staff, **target)
    async with api_client(url, token=partner.token) as client:
        made = await claim(client, task, partner)
        assert made["errors"] == [], made
    async with api_client(url, token=p.staff) as staff:
        confirmed = data_of(await gql(staff, CONFIRM, {"claim": made["claim"]["id"]}))
        assert confirmed["confirmClaim"]["errors"] == [], confirmed
    return task, str(made["claim"]["id"])


async def _team_places(url: str, people: list[int]) -> dict[int, int]:
    """Team places each person holds in active deeds, as the optimiser's instance counts them."""
    engine = create_nullpool_engine(url)
    try:
        async with AsyncSession(engine) as session:
            usage = await person_usage(session, people)
    finally:
        await engine.dispose()
    return {pid: usage[pid].team if pid in usage else 0 for pid in people}


async def _members(url: str, deed: int, people: list[int]) -> int:
    count: int = await scalar(
        url,
        f"SELECT COUNT(*) FROM deed_members WHERE deed_id = {deed} "
        f"AND person_id IN ({', '.join(map(str, people))})",
    )
    return count


async def test_a_released_confirmed_claim_leaves_the_team_and_frees_its_slot(
    demo_url: str,
) -> None:
    p, partner = await one_partner(demo_url)
    deed = await slot_deed(demo_url, p.demo.village)
    before = await _team_places(demo_url, partner.people)
    task, claim_id = await _confirmed(p, partner, deed=deed)
    assert await _members(demo_url, deed, partner.people) == 2
    async with api_client(demo_url, token=partner.token) as client:
        assert _codes(await _release(client, claim_id, None)) == [("INVALID", "reason")]
        assert _codes(await _release(client, claim_id, "  ")) == [("INVALID", "reason")]
        assert await _members(demo_url, deed, partner.people) == 2  # nothing written
        released = await _release(client, claim_id, "our volunteers moved away")
        assert released["errors"] == []
        assert released["claim"]["status"] == "RELEASED"
        assert [(e["event"], e["note"]) for e in released["claim"]["history"]] == [
            ("CLAIMED", None),
            ("CONFIRMED", None),
            ("RELEASED", "our volunteers moved away"),
        ]
        # The slot is open again, and its people hold no place on the deed any more.
        tasks = {t["id"]: t for t in data_of(await gql(client, TASKS))["availableTasks"]["nodes"]}
        assert tasks[task]["freeSlots"] == 1
        again = await _release(client, claim_id, "twice")
        assert _codes(again) == [("NOT_PENDING", "claim")]
    assert await _members(demo_url, deed, partner.people) == 0
    assert await _team_places(demo_url, partner.people) == before
    async with api_client(demo_url, token=partner.token) as client:
        assert (await claim(client, task, partner))["errors"] == []


async def test_staff_release_a_whole_need_claim_the_deed_is_cancelled_and_the_need_reopened(
    demo_url: str,
) -> None:
    p, partner = await one_partner(demo_url)
    need = await open_need(demo_url, p.demo.village)
    task, claim_id = await _confirmed(p, partner, need=need)
    claim_pk = pk_of(claim_id)
    deed = await scalar(demo_url, f"SELECT deed_id FROM partner_claims WHERE id = {claim_pk}")
    assert await scalar(demo_url, f"SELECT status FROM needs WHERE id = {need}") == "MATCHED"
    async with api_client(demo_url, token=p.staff) as staff:
        released = await _release(staff, claim_id, "the organisation cannot do it this year")
        assert released["errors"] == [] and released["claim"]["status"] == "RELEASED"
        history = data_of(await gql(staff, DEED_HISTORY, {"id": gid("Deed", deed)}))["node"]
    assert history["status"] == "CANCELLED"
    assert history["history"][-1] == {
        "toStatus": "CANCELLED",
        "note": "partner claim released: the organisation cannot do it this year",
    }
    assert await scalar(demo_url, f"SELECT status FROM needs WHERE id = {need}") == "OPEN"
    async with api_client(demo_url, token=partner.token) as client:
        tasks = {t["id"] for t in data_of(await gql(client, TASKS))["availableTasks"]["nodes"]}
        assert task in tasks
        assert (await claim(client, task, partner))["errors"] == []


async def test_a_release_is_refused_to_others_and_once_the_work_is_done(demo_url: str) -> None:
    p = await partner_demo(demo_url, partners=2)
    first, second = p.partners
    deed = await slot_deed(demo_url, p.demo.village)
    _, claim_id = await _confirmed(p, first, deed=deed)
    async with api_client(demo_url, token=second.token) as client:
        assert _codes(await _release(client, claim_id, "not ours")) == [("NOT_FOUND", "claim")]
    async with api_client(demo_url) as public:
        assert _codes(await _release(public, claim_id, "x")) == [("FORBIDDEN", None)]
    await execute(demo_url, f"UPDATE deeds SET status = 'COMPLETED' WHERE id = {deed}")
    async with api_client(demo_url, token=p.staff) as staff:
        done = await _release(staff, claim_id, "too late")
        assert _codes(done) == [("WORK_FINISHED", "claim")]
    assert await _members(demo_url, deed, first.people) == 2
    claim_pk = pk_of(claim_id)
    status = await scalar(demo_url, f"SELECT status FROM partner_claims WHERE id = {claim_pk}")
    assert status == "CONFIRMED"


async def test_staff_decline_rather_than_release_a_pending_claim(demo_url: str) -> None:
    p, partner = await one_partner(demo_url)
    deed = await slot_deed(demo_url, p.demo.village)
    _, claim_id = await claimed(demo_url, p.staff, partner, deed=deed)
    async with api_client(demo_url, token=p.staff) as staff:
        refused = await _release(staff, claim_id, "no")
    assert _codes(refused) == [("NOT_CONFIRMED", "claim")]


async def test_a_release_racing_a_progress_report_has_one_outcome(demo_url: str) -> None:
    """Either the report lands first (and is kept in the history before the release) or the
    release does (and the report is refused): never a report on a released claim."""
    p, partner = await one_partner(demo_url)
    for _ in range(3):
        deed = await slot_deed(demo_url, p.demo.village)
        _, claim_id = await _confirmed(p, partner, deed=deed)
        async with (
            api_client(demo_url, token=partner.token) as client,
            api_client(demo_url, token=p.staff) as staff,
        ):
            released, reported = await asyncio.gather(
                _release(staff, claim_id, "reassigned"),
                gql(client, REPORT, {"claim": claim_id}),
            )
        assert released["errors"] == []
        report = data_of(reported)["reportClaimProgress"]
        events = await _events(demo_url, pk_of(claim_id))
        if report["errors"]:
            assert _codes_of(report) == ["NOT_CONFIRMED"]
            assert events == ["CLAIMED", "CONFIRMED", "RELEASED"]
        else:
            assert events == ["CLAIMED", "CONFIRMED", "PROGRESS", "RELEASED"]
        assert await _members(demo_url, deed, partner.people) == 0
        status = await scalar(
            demo_url, f"SELECT status FROM partner_claims WHERE id = {pk_of(claim_id)}"
        )
        assert status == "RELEASED"  # the next round claims the freed slot again


def _codes_of(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def _events(url: str, claim_pk: int) -> list[str]:
    rows = await sql(
        url,
        "SELECT event FROM partner_claim_events WHERE claim_id = :c ORDER BY id",
        {"c": claim_pk},
    )
    return [r["event"] for r in rows]


async def test_a_release_racing_a_confirmation_leaves_no_one_on_the_team(demo_url: str) -> None:
    """A partner releasing its pending claim while staff confirm it: the release lands before
    the confirmation (refused: NOT_PENDING) or after it (the confirmation is undone). Either
    way the claim ends RELEASED with its people off the team."""
    p, partner = await one_partner(demo_url)
    deed = await slot_deed(demo_url, p.demo.village)
    async with api_client(demo_url, token=p.staff) as staff:
        task = await open_task(staff, deed=deed)
    for _ in range(3):
        async with api_client(demo_url, token=partner.token) as client:
            claim_id = (await claim(client, task, partner))["claim"]["id"]
            async with api_client(demo_url, token=p.staff) as staff:
                released, confirmed = await asyncio.gather(
                    _release(client, claim_id, "changed plans"),
                    gql(staff, CONFIRM, {"claim": claim_id}),
                )
        assert released["errors"] == []
        confirm = data_of(confirmed)["confirmClaim"]
        assert _codes_of(confirm) in ([], ["NOT_PENDING"])
        events = await _events(demo_url, pk_of(claim_id))
        if confirm["errors"]:
            assert events == ["CLAIMED", "RELEASED"]
        else:
            assert events == ["CLAIMED", "CONFIRMED", "RELEASED"]
        assert await _members(demo_url, deed, partner.people) == 0
