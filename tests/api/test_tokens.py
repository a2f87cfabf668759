"""Account tokens at the door: a token made for an account signs in with its role and scope;
an expired or revoked token, or one of a disabled account, gets 401 like an unknown one (never
the public); the last-used time is written once, not on every request."""

from __future__ import annotations

import pytest

from sandan.db.enums import Role
from tests.accounts import make_token
from tests.api.helpers import execute, gid, scalar
from tests.api.mutations.documents import CREATE_NEED
from tests.api.mutations.helpers import load_demo, need_input, ok, run
from tests.conftest import api_client


async def test_a_made_token_signs_in_with_its_scope(demo_url: str) -> None:
    d = await load_demo(demo_url)
    token = await make_token(demo_url, Role.TOWN_ADMIN, d.village_code)
    async with api_client(demo_url, token=token) as client:
        ok(await run(client, CREATE_NEED, {"input": need_input(d)}), "need")
        outside = need_input(d, cell=gid("Cell", d.other_branch), household=None)
        payload = await run(client, CREATE_NEED, {"input": outside})
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("FORBIDDEN", "cell")]


@pytest.mark.parametrize(
    "spoil",
    [
        "UPDATE api_tokens SET expires_at = '2020-01-01 00:00:00+00:00'",
        "UPDATE api_tokens SET revoked_at = '2026-01-01 00:00:00+00:00'",
        "UPDATE accounts SET active = false",
    ],
    ids=["expired", "revoked", "disabled-account"],
)
async def test_expired_revoked_or_disabled_tokens_get_401(demo_url: str, spoil: str) -> None:
    d = await load_demo(demo_url)
    token = await make_token(demo_url, Role.VILLAGE_STAFF, d.village_code)
    async with api_client(demo_url, token=token) as client:
        before = await client.post("/graphql", json={"query": "{ __typename }"})
        assert before.status_code == 200, before.text
        await execute(demo_url, spoil)
        response = await client.post("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_last_used_is_written_once_a_minute_not_per_request(demo_url: str) -> None:
    token = await make_token(demo_url, Role.PARTNER)
    last_used = "SELECT last_used_at FROM api_tokens"
    assert await scalar(demo_url, last_used) is None
    async with api_client(demo_url, token=token) as client:
        response = await client.post("/graphql", json={"query": "{ __typename }"})
        assert response.status_code == 200
        first = await scalar(demo_url, last_used)
        assert first is not None
        await execute(demo_url, "UPDATE api_tokens SET last_used_at = NULL")
        for _ in range(3):
            assert (
                await client.post("/graphql", json={"query": "{ __typename }"})
            ).status_code == 200
    assert await scalar(demo_url, last_used) is None  # within the minute: not written again
