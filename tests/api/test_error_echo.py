"""Errors and logs carry no personal values and no unbounded echo of the input.

graphql-core puts the offending input value into its messages; a household's name, address and
phone once reached the answer and, twice, the log (`schema.safe_errors` fixes that at the
source), and a 5 MB field name gave a 5 MB error and 5 MB of log per request.
"""

from __future__ import annotations

import logging

import pytest

from sandan.schema.safe_errors import ECHO_LIMIT, MESSAGE_LIMIT
from tests.conftest import STAFF_TOKEN, api_client

HEAD, ADDRESS, PHONE = "欧阳秘密", "桂城街道秘密路88号", "13912345678"
MUTATION = """
mutation($input: CreateHouseholdInput!) { createHousehold(input: $input) { errors { code } } }
"""


def _household(**extra: object) -> dict[str, object]:
    return {
        "cell": "Q2VsbDox",
        "code": "HH-ECHO",
        "headName": HEAD,
        "address": ADDRESS,
        "phone": PHONE,
        **extra,
    }


def _no_personal_value(text: str) -> None:
    for value in (HEAD, ADDRESS, PHONE):
        assert value not in text, text[:2000]


@pytest.mark.parametrize("token", [STAFF_TOKEN, None], ids=["staff", "public"])
async def test_unknown_input_field_echoes_no_personal_value(
    read_only_demo_url: str, caplog: pytest.LogCaptureFixture, token: str | None
) -> None:
    caplog.set_level(logging.DEBUG)
    async with api_client(read_only_demo_url, token=token) as client:
        response = await client.post(
            "/graphql",
            json={"query": MUTATION, "variables": {"input": _household(nickname="x")}},
        )
        # The same mistake written inline (validated before execution).
        inline = await client.post(
            "/graphql",
            json={
                "query": 'mutation { createHousehold(input: {cell: "Q2VsbDox", code: "H", '
                f'headName: "{HEAD}", address: "{ADDRESS}", phone: {PHONE}, nickname: "x"}}) '
                "{ errors { code } } }"
            },
        )
    body = response.json()
    assert body["errors"], body
    # The error still says what is wrong, and where.
    assert "nickname" in body["errors"][0]["message"], body
    assert inline.json()["errors"], inline.text
    for text in (response.text, inline.text, caplog.text):
        _no_personal_value(text)


async def test_a_5_mb_field_name_gives_a_short_error_and_log(
    read_only_demo_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    huge = "f" * (5 * 1024 * 1024)
    async with api_client(
        read_only_demo_url, token=STAFF_TOKEN, max_body_bytes=16 * 2**20
    ) as client:
        response = await client.post(
            "/graphql", json={"query": MUTATION, "variables": {"input": _household(**{huge: 1})}}
        )
    assert len(response.content) < 4 * MESSAGE_LIMIT, response.text[:300]
    message = response.json()["errors"][0]["message"]
    assert "f" * ECHO_LIMIT in message and "f" * (ECHO_LIMIT + 1) not in message, message[:300]
    assert len(caplog.text) < 20 * MESSAGE_LIMIT, caplog.text[:300]
    _no_personal_value(response.text + caplog.text)
