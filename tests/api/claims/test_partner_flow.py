"""A partner, through GraphQL alone, lists the tasks near it, claims one, is confirmed by
village staff, reports hours, and reads its history; staff see its figures. Confirmed claims
put the partner's people on the deed's team, and the optimiser's instance counts them busy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.engine import create_nullpool_engine
from sandan.db.repositories.instance import person_usage
from tests.api.claims.setup import (
    claim,
    claimed,
    one_partner,
    open_need,
    open_task,
    partner_demo,
    slot_deed,
)
from tests.api.helpers import data_of, execute, gid, pk_of, scalar
from tests.conftest import api_client, gql

TASKS = """
query($filter: TaskFilter) {
  availableTasks(filter: $filter, first: 50) {
    nodes { id kind title category skills hours slots freeSlots windowTo cell { code level } }
  }
}"""
DECIDE = """
mutation($claim: ID!) {
  confirmClaim(claim: $claim, note: "welcome") {
    claim { id status deed { id status } } errors { code field message }
  }
}"""
REPORT = """
mutation($claim: ID!) {
  reportClaimProgress(claim: $claim, hours: 6, progress: 100, note: "done") {
    claim { id hours progress } errors { code }
  }
}"""
MY_CLAIMS = """
{ partnerClaims { nodes { id status hours task { title }
  history { event byAccount note hours progress } } } }"""
MONTHLY = """
query($deed: ID!) { node(id: $deed) { ... on Deed { reports { month
  partnerContributions { month hours percent reports organisation { id } } } } } }"""
STATS = """
query($org: ID!) {
  node(id: $org) { ... on Organisation { claimStats { claims confirmed completed
    completionRate hours } claims { status } } }
}"""


async def test_a_partner_claims_is_confirmed_reports_and_reads_its_history(demo_url: str) -> None:
    p, partner = await one_partner(demo_url)
    deed = await slot_deed(demo_url, p.demo.village)
    async with api_client(demo_url, token=p.staff) as staff:
        task = await open_task(staff, deed=deed, slots=2)
    async with api_client(demo_url, token=partner.token) as client:
        listed = data_of(await gql(client, TASKS, {"filter": {"kind": "SLOT"}}))
        tasks = {t["id"]: t for t in listed["availableTasks"]["nodes"]}
        assert tasks[task]["freeSlots"] == 2 and tasks[task]["kind"] == "SLOT"
        assert tasks[task]["cell"]["code"].startswith(p.village_code)
        made = await claim(client, task, partner, note="two of us, weekends")
        assert made["errors"] == [] and made["claim"]["status"] == "CLAIMED"
        claim_id = made["claim"]["id"]
        listed = data_of(await gql(client, TASKS, {"filter": {"kind": "SLOT"}}))
        assert {t["id"]: t["freeSlots"] for t in listed["availableTasks"]["nodes"]}[task] == 1
    async with api_client(demo_url, token=p.staff) as staff:
        confirmed = data_of(await gql(staff, DECIDE, {"claim": claim_id}))["confirmClaim"]
    assert confirmed["errors"] == [], confirmed
    assert confirmed["claim"]["status"] == "CONFIRMED"
    assert pk_of(confirmed["claim"]["deed"]["id"]) == deed
    team = await scalar(
        demo_url,
        f"SELECT COUNT(*) FROM deed_members WHERE deed_id = {deed} AND role = 'TEAM' "
        f"AND person_id IN ({partner.people[0]}, {partner.people[1]})",
    )
    assert team == 2
    async with api_client(demo_url, token=partner.token) as client:
        reported = data_of(await gql(client, REPORT, {"claim": claim_id}))["reportClaimProgress"]
        assert reported["errors"] == [] and reported["claim"]["hours"] == 6
        mine = data_of(await gql(client, MY_CLAIMS))["partnerClaims"]["nodes"]
    (only,) = mine
    assert only["status"] == "CONFIRMED" and only["hours"] == 6
    events = [e["event"] for e in only["history"]]
    assert events == ["CLAIMED", "CONFIRMED", "PROGRESS"]
    assert only["history"][0]["note"] == "two of us, weekends"
    assert only["history"][1]["byAccount"] is not None  # the staff account that confirmed
    # The deed's monthly report of this month shows the partner's hours; last month's does not.
    this_month = datetime.now(UTC).date().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    await execute(
        demo_url,
        f"DELETE FROM deed_reports WHERE deed_id = {deed}",
        *(
            "INSERT INTO deed_reports (deed_id, month, percent, text, photo_urls) "
            f"VALUES ({deed}, '{month.isoformat()}', {percent}, '按计划推进', '[]')"
            for month, percent in ((last_month, 30), (this_month, 60))
        ),
    )
    async with api_client(demo_url, token=p.staff) as staff:
        reports = data_of(await gql(staff, MONTHLY, {"deed": gid("Deed", deed)}))
    shown = {r["month"]: r["partnerContributions"] for r in reports["node"]["reports"]}
    assert shown == {
        last_month.isoformat(): [],
        this_month.isoformat(): [
            {
                "month": this_month.isoformat(),
                "hours": 6,
                "percent": 100,
                "reports": 1,
                "organisation": {"id": gid("Organisation", partner.organisation)},
            }
        ],
    }
    async with api_client(demo_url, token=p.staff) as staff:
        org = data_of(await gql(staff, STATS, {"org": gid("Organisation", partner.organisation)}))
    stats = org["node"]["claimStats"]
    assert stats == {
        "claims": 1,
        "confirmed": 1,
        "completed": 1,
        "completionRate": 1.0,
        "hours": 6,
    }


async def test_a_confirmed_claim_counts_in_the_optimisers_capacity(demo_url: str) -> None:
    """The instance export takes what active deeds hold off each person: after confirmation
    the partner's people hold one team place more each."""
    p, partner = await one_partner(demo_url)
    deed = await slot_deed(demo_url, p.demo.village)

    async def held() -> dict[int, int]:
        engine = create_nullpool_engine(demo_url)
        try:
            async with AsyncSession(engine) as session:
                usage = await person_usage(session, partner.people)
        finally:
            await engine.dispose()
        return {pid: u.team for pid, u in usage.items()}

    before = await held()
    _, claim_id = await claimed(demo_url, p.staff, partner, deed=deed)
    async with api_client(demo_url, token=p.staff) as staff:
        assert (
            data_of(await gql(staff, DECIDE, {"claim": claim_id}))["confirmClaim"]["errors"] == []
        )
    after = await held()
    for person in partner.people:
        assert after.get(person, 0) == before.get(person, 0) + 1


async def test_a_whole_need_claimed_and_confirmed_becomes_an_approved_deed(
    demo_url: str,
) -> None:
    p, partner = await one_partner(demo_url)
    need = await open_need(demo_url, p.demo.village)
    task, claim_id = await claimed(demo_url, p.staff, partner, need=need)
    async with api_client(demo_url, token=p.staff) as staff:
        confirmed = data_of(await gql(staff, DECIDE, {"claim": claim_id}))["confirmClaim"]
    assert confirmed["claim"]["deed"]["status"] == "APPROVED"
    deed = pk_of(confirmed["claim"]["deed"]["id"])
    assert (
        await scalar(demo_url, f"SELECT lead_id FROM deeds WHERE id = {deed}") == partner.people[0]
    )
    assert await scalar(demo_url, f"SELECT status FROM needs WHERE id = {need}") == "MATCHED"
    async with api_client(demo_url, token=partner.token) as client:
        listed = data_of(await gql(client, TASKS, {}))["availableTasks"]["nodes"]
    assert task not in {t["id"] for t in listed}  # filled: no longer available


async def test_a_declined_claim_frees_its_slot_and_staff_read_its_history(demo_url: str) -> None:
    p = await partner_demo(demo_url, partners=2)
    first, second = p.partners
    deed = await slot_deed(demo_url, p.demo.village)
    decline = """mutation($claim: ID!) { declineClaim(claim: $claim, reason: "team is full") {
      claim { status } errors { code } } }"""
    task, claim_id = await claimed(demo_url, p.staff, first, deed=deed)
    async with api_client(demo_url, token=p.staff) as staff:
        declined = data_of(await gql(staff, decline, {"claim": claim_id}))["declineClaim"]
        seen = data_of(await gql(staff, MY_CLAIMS))["partnerClaims"]["nodes"]
    assert declined == {"claim": {"status": "DECLINED"}, "errors": []}
    (entry,) = [c for c in seen if c["id"] == claim_id]
    assert [(e["event"], e["note"]) for e in entry["history"]] == [
        ("CLAIMED", None),
        ("DECLINED", "team is full"),
    ]
    async with api_client(demo_url, token=second.token) as client:
        assert (await claim(client, task, second))["errors"] == []
        # A partner sees its own claims only.
        mine = data_of(await gql(client, MY_CLAIMS))["partnerClaims"]["nodes"]
    assert claim_id not in {c["id"] for c in mine} and len(mine) == 1
