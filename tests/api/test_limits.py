"""Abuse limits (issue 9): query cost and budgets, caps on what a request may hold, bad tokens,
malformed bodies, the production setting and the rate limit, on both read paths."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from sandan.app import make_context
from sandan.db.scope import Scope
from sandan.guard import GraphQLGuard
from sandan.schema.context import Viewer
from sandan.schema.fastpath import Planner
from tests.api.helpers import counting_statements, data_of, only_error
from tests.conftest import STAFF_TOKEN, api_app, api_client, gql

# The README's first query: the towns down to their members.
README_QUERY = """{
  cells(level: TOWN) { nodes { name
    children { name kind
      children { name kind
        children { name leader { name }
          people { name role partyMember skills } } } } } }
}"""
# The probe of issue 9: five nested levels of lists from the top of the grid.
PROBE = """{ cells(first: 100) { nodes { children { children { children { children {
  name people { name } households { code } needs { title } } } } } } } }"""


def _guard(client: httpx.AsyncClient) -> GraphQLGuard:
    app: Any = client._transport.app  # type: ignore[attr-defined]
    route = next(r for r in app.routes if getattr(r, "path", "") == "/graphql")
    assert isinstance(route.app, GraphQLGuard)
    return route.app


async def _post(client: httpx.AsyncClient, body: Any, **headers: str) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await client.post(
        "/graphql", content=content, headers={"content-type": "application/json", **headers}
    )


def _code(response: httpx.Response) -> str:
    errors = response.json()["errors"]
    assert len(errors) == 1, response.text
    return str(errors[0]["extensions"]["code"])


@pytest.mark.parametrize("planned", [True, False], ids=["planned-reads", "strawberry"])
async def test_an_over_budget_query_is_refused_before_any_sql(
    read_only_demo_url: str, planned: bool
) -> None:
    async with api_app(read_only_demo_url, planned_reads=planned) as (client, state):
        for query in (PROBE, README_QUERY):  # the README's query is for staff (cost ~101,000)
            with counting_statements(state.engine) as counter:
                response = await _post(client, {"query": query})
            assert response.status_code == 200, response.text
            body = response.json()
            assert "data" not in body, body
            error = only_error(body)
            assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
            assert error["extensions"]["limit"] == 25_000
            assert error["extensions"]["cost"] > 25_000
            assert str(error["extensions"]["cost"]) in error["message"]
            assert counter.count == 0, counter.statements
    async with api_client(read_only_demo_url, token=STAFF_TOKEN, planned_reads=planned) as staff:
        assert data_of(await gql(staff, README_QUERY))["cells"]["nodes"]
        refused = only_error((await _post(staff, {"query": PROBE})).json())
        assert refused["extensions"]["code"] == "QUERY_TOO_COSTLY"
        assert refused["extensions"]["limit"] == 250_000


async def test_aliases_and_page_sizes_count(read_only_demo_url: str) -> None:
    one = "a: cells(level: GROUP, first: 100) { nodes { people { name } } }"
    async with api_client(read_only_demo_url, public_query_budget=2_000) as client:
        assert data_of(await gql(client, "{" + one + "}"))  # 1 + 100 × (1 + 12) = 1,301
        twice = "{" + one + one.replace("a:", "b:") + "}"
        error = only_error((await _post(client, {"query": twice})).json())
        assert error["extensions"]["cost"] == 2 * 1_301
        # A fragment counts where it is spread, and a variable page size is read.
        three = "query($n: Int) { " + " ".join(
            f"x{i}: cells(level: GROUP, first: $n) {{ nodes {{ ...P }} }}" for i in range(3)
        )
        fragment = three + " } fragment P on Cell { people { name } }"
        error = only_error(
            (await _post(client, {"query": fragment, "variables": {"n": 100}})).json()
        )
        assert error["extensions"]["cost"] == 3 * 1_301
        assert data_of(await gql(client, fragment, {"n": 10}))


async def test_the_request_body_is_capped(read_only_demo_url: str) -> None:
    async with api_client(read_only_demo_url, max_body_bytes=10_000) as client:
        small = {"query": "{ __typename }", "variables": {"pad": "x" * 9_000}}
        assert (await _post(client, small)).status_code == 200
        big = {"query": "{ __typename }", "variables": {"pad": "x" * 20_000}}
        response = await _post(client, big)
        assert response.status_code == 413 and _code(response) == "BODY_TOO_LARGE"

        async def chunks() -> Any:  # no Content-Length: the cap holds while reading
            yield b'{"query": "{ __typename }", "variables": {"pad": "'
            for _ in range(100):
                yield b"x" * 1_000
            yield b'"}}'

        response = await client.post(
            "/graphql", content=chunks(), headers={"content-type": "application/json"}
        )
        assert response.status_code == 413


async def test_document_length_and_token_count_are_capped(read_only_demo_url: str) -> None:
    async with api_client(read_only_demo_url) as client:
        long = "{ __typename " + " " * 100_000 + "}"
        response = await _post(client, {"query": long})
        assert _code(response) == "QUERY_TOO_LONG"
        many = "{ " + "__typename " * 6_000 + "}"
        error = only_error((await _post(client, {"query": many})).json())
        assert "token" in error["message"].lower()


@pytest.mark.parametrize(
    "authorization",
    ["Bearer unknown-token-0123456789", "Bearer " + "t" * 513, "Basic dXNlcjpwYXNz", "Bearer"],
    ids=["unknown", "too-long", "other-scheme", "empty"],
)
async def test_bad_tokens_get_401_not_the_public(
    read_only_demo_url: str, authorization: str
) -> None:
    async with api_client(read_only_demo_url) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"authorization": authorization},
        )
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert _code(response) == "UNAUTHENTICATED"
    assert "data" not in response.json()


async def test_unknown_tokens_and_documents_hold_bounded_memory(read_only_demo_url: str) -> None:
    cap = 8 * 1024 * 1024
    async with api_app(read_only_demo_url, document_cache_bytes=cap) as (client, state):
        for i in range(50):
            response = await client.post(
                "/graphql",
                json={"query": "{ __typename }"},
                headers={"authorization": f"Bearer unknown-{i}-" + "x" * 400},
            )
            assert response.status_code == 401
        assert state.viewers == {}  # unknown tokens are not cached
        guard = _guard(client)
        planner = guard.inner.inner.planner  # type: ignore[attr-defined]  # guard > audit > planned
        assert isinstance(planner, Planner)
        for i in range(30):  # 30 distinct 20 kB documents: ~75 MB parsed if all were kept
            padding = f"# {i} " + "x" * 20_000 + "\n"
            assert "errors" not in await gql(
                client, padding + "{ needs(first: 1) { nodes { id } } }"
            )
        for cache in (guard.checker._cache, planner._plans):
            assert 0 < cache.bytes <= cap
            assert len(cache) < 30


@pytest.mark.parametrize(
    "body",
    [b"42", b'"x"', b"null", b"true", b"[]", b'[{"query": "{ __typename }"}]', b"{", b"\xff"],
    ids=["number", "string", "null", "boolean", "empty-batch", "batch", "broken", "not-utf8"],
)
async def test_malformed_bodies_get_400(read_only_demo_url: str, body: bytes) -> None:
    async with api_client(read_only_demo_url) as client:
        response = await _post(client, body)
    assert response.status_code == 400, response.text
    assert _code(response) in ("INVALID_REQUEST", "INVALID_JSON")


async def test_deep_json_and_lone_surrogates_get_typed_errors(read_only_demo_url: str) -> None:
    async with api_client(read_only_demo_url) as client:
        deep = b'{"query": "{ __typename }", "variables": {"v": ' + b"[" * 500 + b"]" * 500 + b"}}"
        response = await _post(client, deep)
        assert response.status_code == 400 and _code(response) == "INVALID_REQUEST"
        deeper = b"[" * 5_000 + b"]" * 5_000
        assert (await _post(client, deeper)).status_code == 400
        for body in (
            b'{"query": "{ cells(search: \\"\\ud800\\") { totalCount } }"}',
            b'{"query": "query($s: String) { cells(search: $s) { totalCount } }",'
            b' "variables": {"s": "\\udfff"}}',
        ):
            response = await _post(client, body)
            assert response.status_code == 400 and _code(response) == "INVALID_JSON"
            assert "surrogate" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("planned", [True, False], ids=["planned-reads", "strawberry"])
async def test_a_key_beyond_64_bits_is_a_typed_error(
    read_only_demo_url: str, planned: bool
) -> None:
    huge = base64.b64encode(f"Cell:{2**64}".encode()).decode()
    long = base64.b64encode(("Cell:" + "9" * 3_000).encode()).decode()
    async with api_client(read_only_demo_url, planned_reads=planned) as client:
        for global_id in (huge, long):
            body = await gql(client, "query($id: ID) { cell(id: $id) { name } }", {"id": global_id})
            error = only_error(body)
            assert error["extensions"]["code"] == "INVALID_ID", body
            assert long not in error["message"] and len(error["message"]) < 200
            body = await gql(client, "query($id: ID!) { node(id: $id) { id } }", {"id": global_id})
            assert only_error(body)["extensions"]["code"] == "INVALID_ID", body


async def test_a_request_over_its_time_limit_is_stopped(read_only_demo_url: str) -> None:
    async with api_client(read_only_demo_url, request_timeout=0.000_001) as client:
        response = await _post(client, {"query": "{ cells(first: 5) { nodes { name } } }"})
        assert response.status_code == 503 and _code(response) == "TIMEOUT"
    async with api_client(read_only_demo_url, request_timeout=30) as client:
        assert data_of(await gql(client, "{ cells(first: 5) { nodes { name } } }"))


@pytest.mark.parametrize("planned", [True, False], ids=["planned-reads", "strawberry"])
async def test_the_response_size_is_capped(read_only_demo_url: str, planned: bool) -> None:
    query = "{ cells(first: 100) { nodes { code name } } }"
    async with api_client(read_only_demo_url, planned_reads=planned) as client:
        size = len((await _post(client, {"query": query})).content)
    async with api_client(
        read_only_demo_url, planned_reads=planned, max_response_bytes=size - 1
    ) as client:
        response = await _post(client, {"query": query})
        assert _code(response) == "RESPONSE_TOO_LARGE"
        assert data_of(await gql(client, "{ cells(first: 1) { nodes { code } } }"))


async def test_introspection_and_suggestions_follow_the_environment(
    read_only_demo_url: str,
) -> None:
    introspect = "{ __schema { queryType { name } } }"
    typo = "{ cels { totalCount } }"
    async with api_client(read_only_demo_url) as client:
        assert data_of(await gql(client, introspect))["__schema"]["queryType"]["name"] == "Query"
        assert "Did you mean" in only_error(await gql(client, typo))["message"]
        coerced = "query($l: Level) { cells(level: $l) { totalCount } }"
        assert "Did you mean" in only_error(await gql(client, coerced, {"l": "TOWNN"}))["message"]
    async with api_client(read_only_demo_url, env="production") as client:
        errors = (await gql(client, introspect))["errors"]
        assert errors and all("introspection" in e["message"] for e in errors)
        assert "Did you mean" not in only_error(await gql(client, typo))["message"]
        coerced = "query($l: Level) { cells(level: $l) { totalCount } }"
        error = only_error(await gql(client, coerced, {"l": "TOWNN"}))
        # The value itself is never echoed (it may be personal data); the enum is named.
        assert "Level" in error["message"] and "TOWNN" not in error["message"]
        assert "Did you mean" not in error["message"]
        assert data_of(await gql(client, "{ cells(first: 1) { nodes { code } } }"))


async def test_the_rate_limit_answers_429_per_caller(read_only_demo_url: str) -> None:
    limits = {"public_rate": 0.01, "public_burst": 3, "staff_rate": 0.01, "staff_burst": 5}
    async with api_client(read_only_demo_url, **limits) as client:
        for _ in range(3):
            assert (await _post(client, {"query": "{ __typename }"})).status_code == 200
        response = await _post(client, {"query": "{ __typename }"})
        assert response.status_code == 429 and _code(response) == "RATE_LIMITED"
        assert int(response.headers["retry-after"]) >= 1
        # A staff token has its own bucket.
        staff = {"authorization": f"Bearer {STAFF_TOKEN}"}
        for _ in range(5):
            assert (await _post(client, {"query": "{ __typename }"}, **staff)).status_code == 200
        assert (await _post(client, {"query": "{ __typename }"}, **staff)).status_code == 429


async def test_strawberry_refuses_over_budget_without_the_http_guard(
    read_only_demo_url: str,
) -> None:
    # Execution that does not come through sandan.guard (the schema called directly).
    async with api_app(read_only_demo_url) as (client, state):
        schema = client._transport.app.state.schema  # type: ignore[attr-defined]
        with counting_statements(state.engine) as counter:
            result = await schema.execute(PROBE, context_value=make_context(state, Viewer.public()))
        assert result.data is None and counter.count == 0
        assert result.errors[0].extensions["code"] == "QUERY_TOO_COSTLY"
        staff = make_context(state, Viewer.staff_of(Scope.everything()))
        result = await schema.execute(README_QUERY, context_value=staff)
        assert result.errors is None and result.data["cells"]["nodes"]
