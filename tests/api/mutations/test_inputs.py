"""Input GraphQL itself refuses (wrong types, missing fields) is a GraphQL error with no traceback;
a null for an input with a default takes the default."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from tests.api.helpers import pk_of, scalar, snapshot
from tests.api.mutations.documents import CREATE_NEED, RECORD_VISIT
from tests.api.mutations.helpers import Demo, need_input, ok, run, visit_input
from tests.conftest import STAFF_TOKEN, api_client

BAD_INPUTS: dict[str, Callable[[Demo], dict[str, Any]]] = {
    "volunteers not a number": lambda d: {"input": need_input(d, volunteers="many")},
    "unknown category": lambda d: {"input": need_input(d, category="NOT_A_CATEGORY")},
    "window not a date": lambda d: {"input": need_input(d, windowFrom="next tuesday")},
    "required fields missing": lambda d: {"input": {"title": "missing required fields"}},
}


@pytest.mark.parametrize("variables", list(BAD_INPUTS.values()), ids=list(BAD_INPUTS))
async def test_graphql_type_errors_are_graphql_errors(
    shared_demo: Demo, variables: Callable[[Demo], dict[str, Any]]
) -> None:
    d = shared_demo
    before = await snapshot(d.url)
    async with api_client(d.url, token=STAFF_TOKEN) as client:
        response = await client.post(
            "/graphql", json={"query": CREATE_NEED, "variables": variables(d)}
        )
        assert response.status_code in (200, 400), response.text
        body = response.json()
        assert body.get("data") is None, body
        assert body["errors"] and all(e["message"] for e in body["errors"])
        assert "Traceback" not in response.text and 'File "' not in response.text
    assert await snapshot(d.url) == before


async def test_null_for_a_defaulted_input_takes_the_default(demo: Demo) -> None:
    d = demo
    today = date.today().isoformat()
    async with api_client(d.url, token=STAFF_TOKEN) as client:
        visit = ok(
            await run(
                client,
                RECORD_VISIT,
                {"input": visit_input(d, visitedOn=None, topics=None)},
            ),
            "visit",
        )
        assert visit["visitedOn"] == today and visit["topics"] == []
        need = ok(
            await run(client, CREATE_NEED, {"input": need_input(d, reportedOn=None, skills=None)}),
            "need",
        )
        assert need["skills"] == []
        assert (
            str(
                await scalar(d.url, f"SELECT reported_on FROM needs WHERE id = {pk_of(need['id'])}")
            )
            == today
        )
