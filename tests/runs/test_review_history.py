"""Reviewing a run's proposals is the deed lifecycle's own step: approveDeeds and rejectDeeds
write the deed's history (and its notifications) like approveDeed and cancelDeed do."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import data_of, gid, scalar
from tests.conftest import STAFF_TOKEN, api_client, gql

HISTORY = "query($id: ID!) { node(id: $id) { ... on Deed { status history { toStatus note } } } }"
REVIEWS = {
    "approveDeeds": ("mutation($d: [ID!]!) { approveDeeds(ids: $d) { errors { code } } }", None),
    "rejectDeeds": (
        'mutation($d: [ID!]!) { rejectDeeds(ids: $d, reason: "重复") { errors { code } } }',
        "重复",
    ),
}


@pytest.mark.parametrize(
    ("review", "status"), [("approveDeeds", "APPROVED"), ("rejectDeeds", "CANCELLED")]
)
async def test_a_review_is_recorded_in_the_history(demo_url: str, review: str, status: str) -> None:
    deed = await scalar(demo_url, "SELECT MIN(id) FROM deeds WHERE status = 'PROPOSED'")
    assert deed is not None, "the demo has a proposal to review"
    document, note = REVIEWS[review]
    async with api_client(demo_url, token=STAFF_TOKEN, runs_in_server=False) as client:
        answer: dict[str, Any] = await gql(client, document, {"d": [gid("Deed", deed)]})
        assert data_of(answer)[review]["errors"] == []
        read = data_of(await gql(client, HISTORY, {"id": gid("Deed", deed)}))["node"]
    assert read["status"] == status
    assert read["history"][-1] == {"toStatus": status, "note": note}
