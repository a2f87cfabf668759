"""Shared fixtures: real databases on both engines, and an HTTP client over the ASGI app."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from sandan.app import AppState, create_app
from sandan.db.engine import create_engine
from sandan.settings import Settings
from tests.databases import BACKENDS, Databases

# A fixed token key: the tests' apps and tests.accounts.make_token hash tokens alike, and no
# key file is written.
os.environ.setdefault("SANDAN_TOKEN_KEY", "test-token-key-0123456789abcdef0123456789")
STAFF_TOKEN = "test-staff-token-whole-grid"
# For tests that compare whole answers of every field on the tiny demo: their queries are
# costed for the district (schema.cost), where they would return millions of objects.
NO_COST_LIMIT: dict[str, Any] = {"public_query_budget": 10**9, "staff_query_budget": 10**9}


@pytest.fixture(scope="session")
async def databases(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Databases]:
    dbs = Databases(Path(tmp_path_factory.mktemp("databases")))
    yield dbs
    await dbs.drop_all()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def empty_url(databases: Databases, backend: str) -> str:
    """A fresh, migrated, empty database of this test's own."""
    return await databases.clone(backend, demo=False)


@pytest.fixture
async def engine(empty_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(empty_url)
    yield eng
    await eng.dispose()


@pytest.fixture
async def demo_url(databases: Databases, backend: str) -> str:
    """A fresh copy of the tiny demo data set (safe to change)."""
    return await databases.clone(backend, demo=True)


@pytest.fixture(scope="session")
async def shared_demo_urls(databases: Databases) -> dict[str, str]:
    """One read-only demo database per engine, shared by tests that do not write."""
    urls = {}
    for b in BACKENDS:
        urls[b] = databases.url_of(b, await databases.template(b, demo=True))
    return urls


@pytest.fixture
def read_only_demo_url(shared_demo_urls: dict[str, str], backend: str) -> str:
    return shared_demo_urls[backend]


ClientFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@asynccontextmanager
async def api_app(
    url: str, *, token: str | None = None, **settings: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, AppState]]:
    """Like `api_client`, and also the app's state (its engine, for statement counting)."""
    staff = settings.pop("staff_tokens", {STAFF_TOKEN: "*"})
    app = create_app(Settings(database_url=url, staff_tokens=staff, **settings))
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=headers
        ) as client:
            yield client, app.state.sandan


@asynccontextmanager
async def api_client(
    url: str, *, token: str | None = None, **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client to a real app (lifespan run, engine created) on `url`."""
    async with api_app(url, token=token, **settings) as (client, _state):
        yield client


async def gql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
