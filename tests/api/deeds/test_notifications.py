"""Notifications: stored for the deed's lead, team and the household's contact member, read
by their own member's token, marked read, and streamed over graphql-transport-ws."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from sandan.app import create_app
from sandan.db.enums import Role
from sandan.db.repositories import notifications as notifications_repo
from sandan.settings import Settings
from tests.accounts import make_token
from tests.api.deeds.helpers import APPROVE, PUBLISH, deed_in, place_of, set_scale, step
from tests.api.deeds.websocket import websocket
from tests.api.helpers import data_of, execute, scalar
from tests.conftest import STAFF_TOKEN, api_client

MINE = """query($unread: Boolean) { notifications(first: 10, unread: $unread) {
  nodes { id event message deed { id } } hasNextPage } }"""
READ = """mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) { marked errors { code } } }"""
SUBSCRIBE = "subscription { notifications { event deed { id } } }"


async def _lead_of_a_proposed_deed(url: str) -> tuple[Any, int]:
    p = await place_of(url, await deed_in(url, "PROPOSED"))
    await set_scale(url, p.deed, "SMALL")
    lead = await scalar(url, f"SELECT lead_id FROM deeds WHERE id = {p.deed}")
    if lead is None:
        lead = await scalar(url, "SELECT MIN(id) FROM people")
        await execute(url, f"UPDATE deeds SET lead_id = {lead} WHERE id = {p.deed}")
    return p, int(lead)


async def ask(client: Any, token: str | None, query: str, **variables: Any) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body: dict[str, Any] = response.json()
    return body


async def test_the_lead_reads_the_deeds_news_and_marks_it_read(demo_url: str) -> None:
    p, lead = await _lead_of_a_proposed_deed(demo_url)
    mine = await make_token(demo_url, Role.GROUP_LEADER, p.branch_code, person_pk=lead)
    async with api_client(demo_url) as client:
        before = data_of(await ask(client, mine, MINE, unread=True))["notifications"]["nodes"]
        await step(client, p.village, APPROVE, id=p.deed_id)
        await step(client, p.village, PUBLISH, id=p.deed_id)
        news = data_of(await ask(client, mine, MINE, unread=True))["notifications"]["nodes"]
        fresh = news[: len(news) - len(before)]
        assert [(n["event"], n["deed"]["id"]) for n in fresh] == [
            ("PUBLISHED", p.deed_id),
            ("APPROVED", p.deed_id),
        ]
        marked = data_of(await ask(client, mine, READ, ids=[n["id"] for n in news]))
        assert marked["markNotificationsRead"] == {"marked": len(news), "errors": []}
        unread = data_of(await ask(client, mine, MINE, unread=True))["notifications"]["nodes"]
        assert unread == []
        # An account that belongs to no member has none; the public may not ask.
        staff = data_of(await ask(client, STAFF_TOKEN, MINE))["notifications"]
        assert staff == {"nodes": [], "hasNextPage": False}
        body = await ask(client, None, MINE)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body


@asynccontextmanager
async def running(url: str) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    app = create_app(Settings(database_url=url, staff_tokens={STAFF_TOKEN: "*"}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield app, client


async def test_the_subscription_streams_new_notifications(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    p, lead = await _lead_of_a_proposed_deed(demo_url)
    # The subscription streams what is newer than the latest notification when it starts: note
    # when it has read that one (the real read), so the news comes after it however slow the
    # machine is.
    started = asyncio.Event()
    latest_id = notifications_repo.latest_id

    async def noted(conn: Any) -> int:
        seen = await latest_id(conn)
        started.set()
        return seen

    monkeypatch.setattr(notifications_repo, "latest_id", noted)
    mine = await make_token(demo_url, Role.GROUP_LEADER, p.branch_code, person_pk=lead)
    async with running(demo_url) as (app, client), websocket(app) as ws:
        init = {"authorization": f"Bearer {mine}"}
        await ws.send_json({"type": "connection_init", "payload": init})
        assert (await ws.receive_json())["type"] == "connection_ack"
        # Queries and mutations go over HTTP, where the guard's limits apply.
        query = {"query": "{ cells { totalCount } }"}
        await ws.send_json({"id": "q", "type": "subscribe", "payload": query})
        assert (await ws.receive_json())["type"] == "error"
        await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
        await asyncio.wait_for(started.wait(), 60)  # the subscription starts before the news
        approved = await step(client, p.village, APPROVE, id=p.deed_id)
        assert approved["errors"] == []
        news = {"event": "APPROVED", "deed": {"id": p.deed_id}}
        assert await ws.receive_json() == {
            "id": "1",
            "type": "next",
            "payload": {"data": {"notifications": news}},
        }


async def test_an_unknown_token_closes_the_socket(demo_url: str) -> None:
    async with running(demo_url) as (app, _client), websocket(app) as ws:
        init = {"authorization": "Bearer sdn_nope"}
        await ws.send_json({"type": "connection_init", "payload": init})
        message = await ws.receive()
        assert message["type"] == "websocket.close" and message["code"] == 4403


async def test_the_households_contact_member_gets_the_news_of_its_need(demo_url: str) -> None:
    """The household that raised the need hears of it through its contact member, who is
    neither the deed's lead nor on its team."""
    p, lead = await _lead_of_a_proposed_deed(demo_url)
    need = f"(SELECT need_id FROM deeds WHERE id = {p.deed})"
    household = await scalar(demo_url, f"SELECT household_id FROM needs WHERE id = {need}")
    if household is None:
        household = await scalar(demo_url, "SELECT MIN(id) FROM households")
        await execute(demo_url, f"UPDATE needs SET household_id = {household} WHERE id = {need}")
    contact = await scalar(
        demo_url,
        "SELECT MIN(id) FROM people WHERE id <> :lead AND id NOT IN "
        f"(SELECT person_id FROM deed_members WHERE deed_id = {p.deed})",
        {"lead": lead},
    )
    await execute(
        demo_url, f"UPDATE households SET contact_person_id = {contact} WHERE id = {household}"
    )
    theirs = await make_token(demo_url, Role.GROUP_LEADER, p.branch_code, person_pk=int(contact))
    async with api_client(demo_url) as client:
        before = data_of(await ask(client, theirs, MINE))["notifications"]["nodes"]
        assert (await step(client, p.village, APPROVE, id=p.deed_id))["errors"] == []
        after = data_of(await ask(client, theirs, MINE))["notifications"]["nodes"]
    fresh = after[: len(after) - len(before)]
    assert [(n["event"], n["deed"]["id"]) for n in fresh] == [("APPROVED", p.deed_id)]
