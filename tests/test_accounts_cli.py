"""`sandan accounts` and `sandan tokens`: the token printed once signs in to the API, revoking
it refuses it, bad input is a message and exit status 1 (never a traceback)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.conftest import api_client, gql


def _sandan() -> list[str]:
    script = Path(sys.executable).with_name("sandan")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sandan.cli"]


async def _run(url: str, *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        *_sandan(),
        *args,
        "--database-url",
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


VIEWER = "{ viewer { role account { displayName } scope { code } } }"


async def test_a_token_made_on_the_command_line_signs_in_until_revoked(demo_url: str) -> None:
    made = await _run(
        demo_url,
        "accounts",
        "create",
        "--name",
        "村委会",
        "--role",
        "VILLAGE_STAFF",
        "--cell",
        "NH-JJ-01",
    )
    assert made[0] == 0 and made[2].strip() == "account 1 created", made
    code, token, err = await _run(demo_url, "tokens", "create", "1", "--label", "office")
    assert code == 0, err
    token = token.strip()
    assert token.startswith("sdn_") and "\n" not in token
    async with api_client(demo_url, token=token) as client:
        me = (await gql(client, VIEWER))["data"]["viewer"]
    assert me == {
        "role": "VILLAGE_STAFF",
        "account": {"displayName": "村委会"},
        "scope": {"code": "NH-JJ-01"},
    }

    code, listing, _ = await _run(demo_url, "accounts", "list")
    assert code == 0 and "1\tVILLAGE_STAFF\tNH-JJ-01\tyes\t村委会" in listing
    code, listing, _ = await _run(demo_url, "tokens", "list")
    assert code == 0 and "\tvalid\t" in listing and token not in listing

    assert (await _run(demo_url, "tokens", "revoke", "1"))[0] == 0
    async with api_client(demo_url, token=token) as client:
        response = await client.post("/graphql", json={"query": VIEWER})
    assert response.status_code == 401


async def test_bad_input_is_a_message_and_exit_status_1(demo_url: str) -> None:
    cases = [
        (
            ["accounts", "create", "--name", "x", "--role", "GROUP_LEADER", "--cell", "NH-JJ-01"],
            "GROUP",
        ),
        (
            ["accounts", "create", "--name", "x", "--role", "VILLAGE_STAFF", "--cell", "NOPE"],
            "NOPE",
        ),
        (["accounts", "create", "--name", "x", "--role", "PARTNER"], "organisation"),
        (["tokens", "create", "99"], "no account"),
        (["tokens", "revoke", "99"], "no token"),
        (["accounts", "disable", "99"], "no account"),
    ]
    for args, mentioned in cases:
        code, out, err = await _run(demo_url, *args)
        assert code == 1, (args, err)
        assert err.startswith("error: ") and mentioned in err and "Traceback" not in err, err
        assert out == ""


async def test_a_disabled_accounts_tokens_are_refused(demo_url: str) -> None:
    await _run(demo_url, "accounts", "create", "--name", "admin", "--role", "TOWN_ADMIN")
    token = (await _run(demo_url, "tokens", "create", "1"))[1].strip()
    assert (await _run(demo_url, "accounts", "disable", "1"))[0] == 0
    async with api_client(demo_url, token=token) as client:
        assert (await client.post("/graphql", json={"query": VIEWER})).status_code == 401
    code, _, err = await _run(demo_url, "tokens", "create", "1")
    assert code == 1 and "disabled" in err
