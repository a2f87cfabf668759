"""Links to closed records, closing leaders, visit ids, long reasons: refused or found as users
would expect, with nothing written on a refusal."""

from __future__ import annotations

import pytest

from tests.api.helpers import data_of, execute, gid, scalar
from tests.api.mutations.documents import CLOSE_NEED, CLOSE_PERSON, RECORD_VISIT
from tests.api.mutations.helpers import Demo, codes, load_demo, refused, run, small_need
from tests.conftest import STAFF_TOKEN, api_client, gql


@pytest.fixture
async def demo(demo_url: str) -> Demo:
    return await load_demo(demo_url)


async def test_no_new_links_to_closed_records(demo: Demo) -> None:
    await execute(demo.url, f"UPDATE households SET active = false WHERE id = {demo.household}")
    visit = {
        "input": {
            "household": gid("Household", demo.household),
            "person": gid("Person", demo.free_person),
        }
    }
    async with api_client(demo.url, token=STAFF_TOKEN) as client:
        await refused(client, demo.url, RECORD_VISIT, visit, {("ALREADY_CLOSED", "household")})


async def test_a_leader_cannot_leave_without_a_successor(demo: Demo) -> None:
    leader = await scalar(demo.url, f"SELECT leader_id FROM cells WHERE id = {demo.village}")
    assert leader is not None, "the demo village has a secretary"
    busy = await scalar(
        demo.url,
        f"SELECT COUNT(*) FROM deeds WHERE lead_id = {leader} AND status IN "
        "('PROPOSED', 'APPROVED', 'PUBLISHED', 'IN_PROGRESS')",
    )
    async with api_client(demo.url, token=STAFF_TOKEN) as client:
        payload = await run(client, CLOSE_PERSON, {"id": gid("Person", leader)})
        assert ("CONFLICT", "id") in codes(payload)
        code = await scalar(demo.url, f"SELECT code FROM cells WHERE id = {demo.village}")
        # The message names the cell it leads (unless active deeds were the reason given).
        assert busy or any(code in e["message"] for e in payload["errors"])
        still = await scalar(demo.url, f"SELECT active FROM people WHERE id = {leader}")
        assert still in (True, 1)


async def test_a_close_reason_that_is_too_long_is_refused(demo: Demo) -> None:
    variables = {"id": gid("Need", demo.open_need), "reason": "重复" * 251}
    async with api_client(demo.url, token=STAFF_TOKEN) as client:
        await refused(client, demo.url, CLOSE_NEED, variables, {("TOO_LONG", "reason")})


async def test_contact_visits_are_nodes_for_staff_only(demo: Demo) -> None:
    visit = await scalar(demo.url, "SELECT MIN(id) FROM contact_visits")
    query = "query($id: ID!) { node(id: $id) { id ... on ContactVisit { notes } } }"
    variables = {"id": gid("ContactVisit", visit)}
    async with api_client(demo.url, token=STAFF_TOKEN) as staff:
        node = data_of(await gql(staff, query, variables))["node"]
    assert node is not None and node["id"] == variables["id"]
    async with api_client(demo.url) as public:
        assert data_of(await gql(public, query, variables))["node"] is None


async def test_households_of_another_village_cannot_be_linked(demo: Demo) -> None:
    village_code = await scalar(demo.url, f"SELECT code FROM cells WHERE id = {demo.village}")
    foreign = await scalar(
        demo.url,
        "SELECT MIN(h.id) FROM households h JOIN cells g ON g.id = h.cell_id "
        f"JOIN cells b ON b.id = g.parent_id WHERE b.parent_id = {demo.other_village}",
    )
    assert foreign is not None
    create = """mutation($input: CreateNeedInput!) {
      createNeed(input: $input) { need { id } errors { code field message } } }"""
    variables = small_need(demo, household=gid("Household", foreign))
    token = "village-staff-token-1"
    async with api_client(demo.url, token=token, staff_tokens={token: village_code}) as client:
        await refused(client, demo.url, create, variables, {("NOT_FOUND", "household")})
