"""Malformed input the probe sent (issue 9): typed errors, never "Internal error.", never a
whole echo of the input, and nothing written."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.api.helpers import gid
from tests.api.mutations.documents import CREATE_NEED
from tests.api.mutations.helpers import Demo, refused, small_need
from tests.conftest import STAFF_TOKEN, api_client, gql

NEEDS = "query($s: String, $after: String) { needs(filter: {search: $s}, after: $after) { edges { node { id } } } }"  # noqa: E501
CELLS = "query($s: String) { cells(search: $s) { edges { node { id } } } }"
PEOPLE = "query($s: String) { people(search: $s) { edges { node { id } } } }"


def _error(body: dict[str, Any]) -> tuple[str, str]:
    (error,) = body["errors"]
    assert error["message"] != "Internal error.", error
    return error["extensions"]["code"], error["extensions"]["field"]


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("query", "search", "field"),
    [
        (NEEDS, "助" * 5000, "filter.search"),
        (NEEDS, "a\x00b", "filter.search"),
        (NEEDS, "\x00", "filter.search"),
        (CELLS, "村" * 201, "search"),
        (PEOPLE, "\x00", "search"),
    ],
    ids=["long", "nul-inside", "nul", "cells-long", "people-nul"],
)
async def test_bad_search_texts_are_refused(
    read_only_demo_url: str, query: str, search: str, field: str
) -> None:
    async with api_client(read_only_demo_url) as client:
        body = await gql(client, query, {"s": search})
    assert body.get("data") is None or not any(body["data"].values())
    assert _error(body) == ("INVALID_ARGUMENT", field)
    assert search not in body["errors"][0]["message"]


async def test_a_search_of_200_characters_still_runs(read_only_demo_url: str) -> None:
    async with api_client(read_only_demo_url) as client:
        body = await gql(client, NEEDS, {"s": "助" * 200})
    assert "errors" not in body and body["data"]["needs"]["edges"] == []


@pytest.mark.parametrize(
    "cursor",
    [_cursor(f"cursor:{2**63}"), _cursor(f"cursor:{-(2**63) - 1}"), "x" * 10_000],
    ids=["above-2^63", "below-2^63", "long"],
)
async def test_bad_cursors_are_typed_and_not_echoed(read_only_demo_url: str, cursor: str) -> None:
    async with api_client(read_only_demo_url) as client:
        body = await gql(client, NEEDS, {"after": cursor})
    assert _error(body) == ("INVALID_CURSOR", "after")
    assert len(body["errors"][0]["message"]) < 200


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": "\u200b\u200b\u200b"}, {("REQUIRED", "title")}),
        ({"title": "\ufeff\u2060\u3164 \u200d"}, {("REQUIRED", "title")}),
        ({"title": "代购\x00药品"}, {("INVALID", "title")}),
        ({"skills": ["护理", "\x00"]}, {("INVALID", "skills")}),
        (
            {"resourceRequests": [{"kind": "FUNDS", "quantity": 10_000}] * 5000},
            {("OUT_OF_RANGE", "resourceRequests")},
        ),
        (
            {"resourceRequests": [{"kind": "FUNDS", "quantity": 6000}] * 2},
            {("OUT_OF_RANGE", "resourceRequests")},
        ),
        ({"cell": gid("Cell", 2**62) + "A" * 5000}, {("INVALID_ID", "cell")}),
    ],
    ids=["zero-width", "invisible-mix", "nul", "nul-skill", "5000x10000", "sum", "id"],
)
async def test_malformed_need_inputs_are_refused(
    shared_demo: Demo, changes: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    async with api_client(shared_demo.url, token=STAFF_TOKEN) as client:
        await refused(
            client, shared_demo.url, CREATE_NEED, small_need(shared_demo, **changes), expected
        )


async def test_a_long_unknown_id_is_not_echoed_whole(shared_demo: Demo) -> None:
    long_id = gid("Cell", 10**9) * 100
    async with api_client(shared_demo.url, token=STAFF_TOKEN) as client:
        body = await gql(client, CREATE_NEED, small_need(shared_demo, cell=long_id))
    (error,) = body["data"]["createNeed"]["errors"]
    assert long_id not in error["message"] and len(error["message"]) < 200


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (NEEDS, {"s": "\ud800"}),
        (NEEDS, {"after": "\ud800"}),
        (CREATE_NEED, {"input": {"title": "\ud800"}}),
        ('{ needs(filter: {search: "\\ud800"}) { edges { node { id } } } }', {}),
    ],
    ids=["search", "cursor", "title", "in-the-document"],
)
async def test_a_lone_surrogate_is_a_typed_error(
    read_only_demo_url: str, query: str, variables: dict[str, Any]
) -> None:
    async with api_client(read_only_demo_url, token=STAFF_TOKEN) as client:
        body = json.dumps({"query": query, "variables": variables})
        response = await client.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )
    assert response.status_code in (200, 400), response.text
    errors = response.json()["errors"]
    assert errors and all(e["message"] != "Internal error." for e in errors), errors
    # A parse error (a GraphQL syntax error carries its location) or a coded one.
    assert all("code" in e.get("extensions", {}) or "locations" in e for e in errors), errors
