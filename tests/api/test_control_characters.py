"""Control characters (NUL above all) in the arguments of fields outside the mutation engine:
PostgreSQL refused such a text ("Internal error.") and SQLite stored it cut at the NUL. Each is
now an INVALID_ARGUMENT error naming the argument, without the value, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import gid, only_error, scalar
from tests.conftest import STAFF_TOKEN, api_client, gql

PIN = """mutation($need: ID!, $person: ID!, $reason: String) {
  pin(input: {need: $need, person: $person, reason: $reason}) { constraint { id } errors { code } }
}"""
FORBID = PIN.replace("pin(", "forbid(")
COMMENT = """mutation($deed: ID!, $text: String!) {
  commentOnDeed(deed: $deed, text: $text) { errors { code } }
}"""
ACCOUNT = """mutation($cell: ID!, $name: String!) {
  createAccount(input: {displayName: $name, role: VILLAGE_STAFF, cell: $cell}) { errors { code } }
}"""

COUNTS = (
    "SELECT (SELECT count(*) FROM run_constraints) + (SELECT count(*) FROM deed_comments)"
    " + (SELECT count(*) FROM accounts)"
)


async def _ids(url: str) -> dict[str, str]:
    async def one(query: str) -> int:
        return int(await scalar(url, query))

    village = await one("SELECT id FROM cells WHERE code = 'NH-JJ-01'")
    return {
        "need": gid("Need", await one("SELECT min(id) FROM needs")),
        "person": gid("Person", await one("SELECT min(id) FROM people")),
        "deed": gid("Deed", await one("SELECT min(id) FROM deeds WHERE status = 'PUBLISHED'")),
        "cell": gid("Cell", village),
    }


@pytest.mark.parametrize(
    ("document", "variables", "field"),
    [
        (PIN, {"reason": "ok\x00then"}, "input.reason"),
        (FORBID, {"reason": "\x1b[31m"}, "input.reason"),
        (COMMENT, {"text": "好\x00"}, "text"),
        (ACCOUNT, {"name": "张\x00三"}, "input.displayName"),
    ],
    ids=["pin-reason-nul", "forbid-reason-escape", "comment-nul", "account-name-nul"],
)
async def test_control_characters_in_mutation_texts_are_refused(
    demo_url: str, document: str, variables: dict[str, Any], field: str
) -> None:
    ids = await _ids(demo_url)
    before = await scalar(demo_url, COUNTS)
    async with api_client(demo_url, token=STAFF_TOKEN) as client:
        body = await gql(client, document, {**ids, **variables})
    error = only_error(body)
    assert error["extensions"]["code"] == "INVALID_ARGUMENT", body
    assert error["extensions"]["field"] == field
    assert not any(value in error["message"] for value in variables.values())
    assert await scalar(demo_url, COUNTS) == before


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ("query($v: String) { cell(code: $v) { id } }", "code"),
        ("query($v: String) { publicDeeds(cell: $v) { totalCount } }", "cell"),
    ],
    ids=["cell-code", "public-deeds-cell"],
)
async def test_a_nul_in_a_cell_code_finds_nothing_or_is_refused(
    read_only_demo_url: str, document: str, field: str
) -> None:
    async with api_client(read_only_demo_url) as client:
        body = await gql(client, document, {"v": "NH-JJ\x00"})
    # The compiled path on SQLite finds no such cell (null); wherever the code reaches a
    # statement that refuses it, the answer is the typed error, never "Internal error.".
    if "errors" in body:
        error = only_error(body)
        assert (error["extensions"]["code"], error["extensions"]["field"]) == (
            "INVALID_ARGUMENT",
            field,
        )
    else:
        assert not any(body["data"].values()), body


async def test_a_failing_statement_names_no_parameter_values(empty_url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from sandan.db.engine import create_engine

    engine = create_engine(empty_url)
    try:
        async with engine.connect() as conn:
            with pytest.raises(DBAPIError) as failed:
                await conn.execute(
                    text("INSERT INTO no_such_table (name) VALUES (:n)"),
                    {"n": "张三丰 13800138000"},
                )
    finally:
        await engine.dispose()
    assert "13800138000" not in str(failed.value)
