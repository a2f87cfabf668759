"""Review input that looked fine to the checks and was not: the same deed twice in one
approveDeeds, and a reason made only of invisible characters."""

from __future__ import annotations

from tests.api.helpers import data_of, gid, pk_of, scalar
from tests.conftest import STAFF_TOKEN, api_client, gql

APPROVE = """mutation($ids: [ID!]!) {
  approveDeeds(ids: $ids) { deeds { id status } errors { code field } }
}"""
REJECT = """mutation($ids: [ID!]!, $reason: String!) {
  rejectDeeds(ids: $ids, reason: $reason) { deeds { id status } errors { code field } }
}"""


async def test_a_deed_named_twice_is_reviewed_once_and_a_blank_reason_is_required(
    demo_url: str,
) -> None:
    pk = await scalar(demo_url, "SELECT min(id) FROM deeds WHERE status = 'PROPOSED'")
    assert pk is not None, "the demo has a proposal to review"
    first = gid("Deed", int(pk))
    count = "SELECT count(*) FROM deed_history WHERE deed_id = :d"
    before = await scalar(demo_url, count, {"d": pk_of(first)})
    async with api_client(demo_url, token=STAFF_TOKEN, runs_in_server=False) as client:
        blank = data_of(await gql(client, REJECT, {"ids": [first], "reason": "\u200b\u3164 "}))
        assert blank["rejectDeeds"]["errors"] == [{"code": "REQUIRED", "field": "reason"}]
        status = await scalar(demo_url, "SELECT status FROM deeds WHERE id = :d", {"d": pk})
        assert status == "PROPOSED"

        approved = data_of(await gql(client, APPROVE, {"ids": [first, first]}))["approveDeeds"]
        assert approved["errors"] == []
        assert approved["deeds"] == [{"id": first, "status": "APPROVED"}]
        assert await scalar(demo_url, count, {"d": pk_of(first)}) == before + 1
