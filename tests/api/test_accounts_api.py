"""Accounts through GraphQL: a town admin makes accounts and tokens in their subtree (the token
shown once), lists them, revokes tokens (refused from the next request on); `viewer` tells a
client who it is; other roles and other subtrees are refused with typed errors."""

from __future__ import annotations

from typing import Any

import httpx

from sandan.db.enums import Role
from tests.accounts import make_token
from tests.api.helpers import gid, pk_of, scalar
from tests.api.mutations.helpers import load_demo
from tests.conftest import STAFF_TOKEN, api_client, gql

CREATE_ACCOUNT = """
mutation($input: CreateAccountInput!) {
  createAccount(input: $input) {
    account { id displayName role active scope { code } organisation { id } }
    errors { code field message }
  }
}"""
CREATE_TOKEN = """
mutation($account: ID!, $days: Int) {
  createToken(account: $account, label: "phone", expiresInDays: $days) {
    token apiToken { id label expiresAt revokedAt } errors { code field message }
  }
}"""
REVOKE_TOKEN = """
mutation($id: ID!) {
  revokeToken(id: $id) { apiToken { id revokedAt } errors { code field message } }
}"""
VIEWER = "{ viewer { role account { id displayName } scope { code } } }"
ACCOUNTS = """
query($first: Int, $after: String) {
  accounts(first: $first, after: $after) {
    nodes { displayName role scope { code } tokens { label revokedAt } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def _payload(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body
    (payload,) = body["data"].values()
    assert isinstance(payload, dict)
    return payload


async def _create_account(
    client: httpx.AsyncClient, role: str, cell: str | None = None, name: str = "x"
) -> dict[str, Any]:
    """createAccount's payload for an account of `role` (in `cell`, when given)."""
    account = {"displayName": name, "role": role} | ({} if cell is None else {"cell": cell})
    return _payload(await gql(client, CREATE_ACCOUNT, {"input": account}))


def _codes(payload: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {(e["code"], e["field"]) for e in payload["errors"]}


async def test_an_admin_makes_an_account_and_a_token_that_signs_in(demo_url: str) -> None:
    d = await load_demo(demo_url)
    admin = await make_token(demo_url, Role.TOWN_ADMIN)
    async with api_client(demo_url, token=admin) as client:
        made = await _create_account(client, "VILLAGE_STAFF", gid("Cell", d.village), name="村委会")
        assert made["errors"] == []
        account = made["account"]
        assert account["role"] == "VILLAGE_STAFF" and account["scope"]["code"] == d.village_code
        minted = _payload(await gql(client, CREATE_TOKEN, {"account": account["id"]}))
    assert minted["errors"] == [] and minted["token"]
    token = minted["token"]
    # Only a keyed hash is stored: the raw token appears nowhere in the database.
    stored = await scalar(
        demo_url,
        "SELECT token_hash FROM api_tokens WHERE id = :id",
        {"id": pk_of(minted["apiToken"]["id"])},
    )
    assert stored and token not in stored and len(stored) == 64
    async with api_client(demo_url, token=token) as client:
        me = (await gql(client, VIEWER))["data"]["viewer"]
    assert me == {
        "role": "VILLAGE_STAFF",
        "account": {"id": account["id"], "displayName": "村委会"},
        "scope": {"code": d.village_code},
    }
    async with api_client(demo_url, token=admin) as client:
        revoked = _payload(await gql(client, REVOKE_TOKEN, {"id": minted["apiToken"]["id"]}))
        assert revoked["errors"] == [] and revoked["apiToken"]["revokedAt"]
        again = _payload(await gql(client, REVOKE_TOKEN, {"id": minted["apiToken"]["id"]}))
        assert _codes(again) == {("ALREADY_CLOSED", "id")}
    async with api_client(demo_url, token=token) as client:
        response = await client.post("/graphql", json={"query": VIEWER})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_the_public_and_bootstrap_tokens_in_viewer(read_only_demo_url: str) -> None:
    async with api_client(read_only_demo_url) as client:
        assert (await gql(client, VIEWER))["data"]["viewer"] == {
            "role": None,
            "account": None,
            "scope": None,
        }
    # The configured whole-grid token: a town admin of everything, with no account.
    async with api_client(read_only_demo_url, token=STAFF_TOKEN) as client:
        body = await gql(client, VIEWER)
    assert body == {"data": {"viewer": {"role": "TOWN_ADMIN", "account": None, "scope": None}}}


async def test_a_subtree_admin_is_kept_to_their_subtree(demo_url: str) -> None:
    d = await load_demo(demo_url)
    await make_token(demo_url, Role.GROUP_LEADER, await _group_code(demo_url, d.other_group))
    admin = await make_token(demo_url, Role.TOWN_ADMIN, d.village_code)
    async with api_client(demo_url, token=admin) as client:
        outside = await _create_account(client, "GROUP_LEADER", gid("Cell", d.other_group))
        whole = await _create_account(client, "TOWN_ADMIN")
        wrong_level = await _create_account(client, "GROUP_LEADER", gid("Cell", d.branch))
        partner = await _create_account(client, "PARTNER")
        listed = (await gql(client, ACCOUNTS, {"first": 10}))["data"]["accounts"]["nodes"]
    assert _codes(outside) == {("FORBIDDEN", "cell")}
    assert _codes(whole) == {("FORBIDDEN", "cell")}
    assert _codes(wrong_level) == {("WRONG_LEVEL", "cell")}
    assert _codes(partner) == {("REQUIRED", "organisation")}
    # Their own account is listed; the other village's group leader is not.
    assert [(a["role"], a["scope"]["code"]) for a in listed] == [("TOWN_ADMIN", d.village_code)]
    assert await scalar(demo_url, "SELECT COUNT(*) FROM accounts") == 2  # nothing was written


async def _group_code(url: str, cell: int) -> str:
    return str(await scalar(url, f"SELECT code FROM cells WHERE id = {cell}"))


async def test_other_roles_may_not_manage_accounts(demo_url: str) -> None:
    d = await load_demo(demo_url)
    staff = await make_token(demo_url, Role.VILLAGE_STAFF, d.village_code)
    async with api_client(demo_url, token=staff) as client:
        made = await _create_account(client, "VILLAGE_STAFF", gid("Cell", d.village))
        listed = await gql(client, ACCOUNTS)
    assert _codes(made) == {("FORBIDDEN", None)}
    assert listed["data"] is None
    assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"
