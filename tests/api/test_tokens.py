"""Account tokens at the door: a token made for an account signs in with its role and scope;
an expired or revoked token, or one of a disabled account, gets 401 like an unknown one (never
the public); the last-used time is written once, not on every request."""

from __future__ import annotations

from typing import Any

import pytest

from sandan.db.enums import Role
from tests.accounts import make_token
from tests.api.helpers import execute, gid, scalar
from tests.api.mutations.documents import CREATE_NEED
from tests.api.mutations.helpers import load_demo, need_input, ok, run
from tests.conftest import api_client, gql


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


HEADS = """
query($mine: String!, $other: String!) {
  mine: cell(code: $mine) { households { headName } }
  other: cell(code: $other) { households { headName } }
}"""


async def _heads(url: str, token: str | None, mine: str, other: str) -> tuple[list[Any], list[Any]]:
    async with api_client(url, token=token) as client:
        data = (await gql(client, HEADS, {"mine": mine, "other": other}))["data"]
    return (
        [h["headName"] for h in data["mine"]["households"]],
        [h["headName"] for h in data["other"]["households"]],
    )


@pytest.mark.parametrize(
    "role", [Role.VILLAGE_STAFF, Role.BRANCH_SECRETARY, Role.GROUP_LEADER, Role.PARTNER]
)
async def test_personal_data_reaches_each_role_in_its_scope_only(demo_url: str, role: Role) -> None:
    """Households' names: a group leader sees their group's, a branch secretary their branch's,
    village staff their village's; a partner nobody's."""
    d = await load_demo(demo_url)

    async def code(cell: int) -> str:
        return str(await scalar(demo_url, f"SELECT code FROM cells WHERE id = {cell}"))

    # A sibling group in the same branch: outside a group leader's scope, inside the others'.
    sibling = await scalar(
        demo_url,
        f"SELECT MIN(c.id) FROM cells c WHERE c.parent_id = {d.branch} AND c.id <> {d.group} "
        "AND EXISTS (SELECT 1 FROM households h WHERE h.cell_id = c.id)",
    )
    assert sibling is not None
    scope = {
        Role.VILLAGE_STAFF: d.village,
        Role.BRANCH_SECRETARY: d.branch,
        Role.GROUP_LEADER: d.group,
    }
    if role is Role.PARTNER:
        token = await make_token(demo_url, role, organisation_code=str(d.organisation))
    else:
        token = await make_token(demo_url, role, await code(scope[role]))
    mine, sibling_heads = await _heads(demo_url, token, await code(d.group), await code(sibling))
    _, other_village = await _heads(demo_url, token, await code(d.group), await code(d.other_group))
    assert mine and sibling_heads and other_village
    assert all(h is None for h in other_village)
    if role is Role.PARTNER:
        assert all(h is None for h in mine + sibling_heads)
        return
    assert all(h for h in mine)
    if role is Role.GROUP_LEADER:
        assert all(h is None for h in sibling_heads)
    else:
        assert all(h for h in sibling_heads)
