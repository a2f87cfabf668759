"""Claims under real concurrency: many HTTP requests at once against one app (one engine, its
connection pool), on SQLite and PostgreSQL. The database decides, so the outcome is exact."""

from __future__ import annotations

import asyncio
from collections import Counter

from tests.api.claims.setup import (
    CLAIM,
    claim,
    claimed,
    one_partner,
    open_task,
    partner_demo,
    slot_deed,
)
from tests.api.helpers import data_of, execute, gid, pk_of, scalar
from tests.conftest import api_client, gql

CONCURRENT = 50
CONFIRM = """
mutation($claim: ID!) { confirmClaim(claim: $claim) { claim { status } errors { code } } }"""
HISTORY = """
{ partnerClaims { nodes { id status history { event } } } }"""


def _outcome(payload: dict[str, object]) -> str:
    errors = payload["errors"]
    assert isinstance(errors, list)
    return "OK" if not errors else str(errors[0]["code"])


async def test_fifty_claims_of_one_slot_leave_exactly_one_holder(demo_url: str) -> None:
    p = await partner_demo(demo_url, partners=5)
    deed = await slot_deed(demo_url, p.demo.village)
    async with api_client(demo_url, token=p.staff) as staff:
        task = await open_task(staff, deed=deed, slots=1)
    clients = [
        api_client(demo_url, token=partner.token, partner_claim_cap=100) for partner in p.partners
    ]
    opened = [await c.__aenter__() for c in clients]
    try:
        payloads = await asyncio.gather(
            *(claim(opened[n % 5], task, p.partners[n % 5]) for n in range(CONCURRENT))
        )
    finally:
        for c in clients:
            await c.__aexit__(None, None, None)
    outcomes = Counter(_outcome(payload) for payload in payloads)
    assert outcomes == {"OK": 1, "ALREADY_CLAIMED": CONCURRENT - 1}
    held = await scalar(
        demo_url,
        f"SELECT COUNT(*) FROM partner_claims WHERE task_id = {pk_of(task)} "
        "AND status IN ('CLAIMED', 'CONFIRMED')",
    )
    assert held == 1


async def test_fifty_claims_by_a_partner_at_its_cap_never_exceed_it(demo_url: str) -> None:
    cap = 3
    p, partner = await one_partner(demo_url)
    deed = await slot_deed(demo_url, p.demo.village)
    async with api_client(demo_url, token=p.staff) as staff:
        task = await open_task(staff, deed=deed, slots=CONCURRENT)
    async with api_client(demo_url, token=partner.token, partner_claim_cap=cap) as client:
        payloads = await asyncio.gather(*(claim(client, task, partner) for _ in range(CONCURRENT)))
    outcomes = Counter(_outcome(payload) for payload in payloads)
    assert outcomes == {"OK": cap, "CLAIM_CAP_REACHED": CONCURRENT - cap}
    open_claims = await scalar(
        demo_url,
        f"SELECT COUNT(*) FROM partner_claims WHERE organisation_id = {partner.organisation} "
        "AND status = 'CLAIMED'",
    )
    assert open_claims == cap


async def test_an_expired_claim_frees_its_slot_and_cannot_be_confirmed(demo_url: str) -> None:
    p = await partner_demo(demo_url, partners=2)
    first, second = p.partners
    deed = await slot_deed(demo_url, p.demo.village)
    task, claim_id = await claimed(demo_url, p.staff, first, deed=deed)
    async with api_client(demo_url, token=second.token) as client:
        assert _outcome(await claim(client, task, second)) == "ALREADY_CLAIMED"
    # The hold time passes (no job runs: the claim reads as expired from now on).
    await execute(
        demo_url,
        f"UPDATE partner_claims SET expires_at = created_at WHERE id = {pk_of(claim_id)}",
    )
    await asyncio.sleep(0.01)
    async with (
        api_client(demo_url, token=p.staff) as staff,
        api_client(demo_url, token=second.token) as client,
    ):
        confirmed, taken = await asyncio.gather(
            gql(staff, CONFIRM, {"claim": claim_id}), claim(client, task, second)
        )
    assert _outcome(data_of(confirmed)["confirmClaim"]) == "NOT_PENDING"
    assert _outcome(taken) == "OK"
    async with api_client(demo_url, token=first.token) as client:
        (mine,) = data_of(await gql(client, HISTORY))["partnerClaims"]["nodes"]
    assert mine["status"] == "EXPIRED"
    assert [e["event"] for e in mine["history"]] == ["CLAIMED", "EXPIRED"]


async def test_a_partner_outside_the_cells_served_sees_and_claims_nothing(demo_url: str) -> None:
    p, partner = await one_partner(demo_url)
    deed = await slot_deed(demo_url, p.demo.village)
    async with api_client(demo_url, token=p.staff) as staff:
        task = await open_task(staff, deed=deed)
    await execute(
        demo_url, f"DELETE FROM served_cells WHERE organisation_id = {partner.organisation}"
    )
    async with api_client(demo_url, token=partner.token) as client:
        listed = data_of(await gql(client, "{ availableTasks { nodes { id } } }"))
        made = await claim(client, task, partner)
    assert listed["availableTasks"]["nodes"] == []
    assert _outcome(made) == "NOT_FOUND"


async def test_staff_and_the_public_may_not_claim(demo_url: str) -> None:
    p = await partner_demo(demo_url)
    deed = await slot_deed(demo_url, p.demo.village)
    async with api_client(demo_url, token=p.staff) as staff:
        task = await open_task(staff, deed=deed)
        variables = {"task": task, "people": [gid("Person", p.partners[0].people[0])]}
        refused = data_of(await gql(staff, CLAIM, variables))["claimTask"]
        listed = await gql(staff, "{ availableTasks { nodes { id } } }")
    assert _outcome(refused) == "FORBIDDEN"
    assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"
