"""The whole review loop through GraphQL alone, over real HTTP and a real websocket, on both
engines: start a run on the demo town, follow it, read proposals and unmatched needs, approve
one, reject one, pin a member and a resource, re-run, and see the approved deed unchanged, the
rejected pair absent and the pinned resource on the redone deed, with nobody and nothing
committed beyond their capacity."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.api.helpers import data_of, pk_of, sql
from tests.conftest import STAFF_TOKEN, gql
from tests.runs.helpers import PROPOSALS, cell_gid, overcommitted, start, wait_for_end
from tests.runs.server import SUBSCRIBE, follow, served

REVIEW = """
mutation Review($ok: [ID!]!, $no: [ID!]!) {
  approveDeeds(ids: $ok) { deeds { id status } errors { code } }
  rejectDeeds(ids: $no, reason: "the lead is away that month") { deeds { status } errors { code } }
}"""

PIN = """
mutation Pin($need: ID!, $person: ID!) {
  pin(input: {need: $need, person: $person, role: TEAM}) {
    constraint { id kind role createdBy person { id } need { id } } errors { code message }
  }
}"""

CONSTRAINTS = """
query Constraints($cell: ID!) {
  runConstraints(cell: $cell) {
    totalCount nodes { kind quantity person { id } resource { id } need { id } reason }
  }
}"""

# A room for the whole grid, pinned to the rejected need after it is asked to need one.
ROOM = """
mutation Room($cell: ID!) {
  createResource(input: {cell: $cell, title: "会议室", kind: VENUE, capacity: 1}) {
    resource { id } errors { code }
  }
}"""
ASK_FOR_A_ROOM = """
query Requests($id: ID!) { node(id: $id) { ... on Need { resourceRequests { kind quantity } } } }"""
REQUESTS = """
mutation Requests($id: ID!, $requests: [ResourceRequestInput!]) {
  updateNeed(id: $id, input: {resourceRequests: $requests}) { errors { code } }
}"""
PIN_ROOM = """
mutation PinRoom($need: ID!, $room: ID!) {
  pinResource(input: {need: $need, resource: $room, quantity: 1}) {
    constraint { kind quantity } errors { code message }
  }
}"""


async def _pin_a_room(client: httpx.AsyncClient, town: str, need: str) -> str:
    """The need asks for one more VENUE unit, and a new one-unit room is pinned to it."""
    room = data_of(await gql(client, ROOM, {"cell": town}))["createResource"]["resource"]["id"]
    asked = data_of(await gql(client, ASK_FOR_A_ROOM, {"id": need}))["node"]["resourceRequests"]
    requests = [*asked, {"kind": "VENUE", "quantity": 1}]
    updated = data_of(await gql(client, REQUESTS, {"id": need, "requests": requests}))
    assert updated["updateNeed"]["errors"] == []
    pinned = data_of(await gql(client, PIN_ROOM, {"need": need, "room": room}))["pinResource"]
    assert pinned == {"constraint": {"kind": "PIN", "quantity": 1}, "errors": []}
    room_id: str = room
    return room_id


async def _members(url: str, deed_pk: int) -> list[dict[str, Any]]:
    return await sql(
        url,
        "SELECT person_id, role FROM deed_members WHERE deed_id = :d ORDER BY person_id",
        {"d": deed_pk},
    )


def _replays(tmp: Path, instance: bytes, solution: bytes) -> None:
    """`sandan solve` replays the downloaded instance; `sandan check` accepts both answers."""
    (tmp / "instance.json").write_bytes(instance)
    (tmp / "solution.json").write_bytes(solution)
    sandan = [sys.executable, "-m", "sandan.cli"]
    replay = tmp / "replay.json"
    subprocess.run([*sandan, "solve", str(tmp / "instance.json"), "-o", str(replay)], check=True)
    for answer in (tmp / "solution.json", replay):
        subprocess.run([*sandan, "check", str(tmp / "instance.json"), str(answer)], check=True)


async def test_review_loop_through_graphql_and_a_websocket(demo_url: str, tmp_path: Path) -> None:
    town = await cell_gid(demo_url, "NH-JJ")
    with served(demo_url) as base:
        headers = {"authorization": f"Bearer {STAFF_TOKEN}"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
            first_run = await start(client, town)
            states = await follow(base, first_run)
            assert states[-1]["status"] == "SUCCEEDED"
            assert states[-1]["progress"]["phase"] == "done"
            assert len(states) >= 2 and states[0]["status"] in ("QUEUED", "RUNNING")
            answer = data_of(await gql(client, PROPOSALS, {"id": first_run}))["optimisationRun"]
            proposals = answer["proposals"]["nodes"]
            assert len(proposals) >= 2 and all(p["explanation"] for p in proposals)
            assert all(u["reasons"] for u in answer["unmatched"]["nodes"])

            approved, rejected = proposals[0]["deed"], proposals[1]["deed"]
            before = await _members(demo_url, pk_of(approved["id"]))
            review = data_of(
                await gql(client, REVIEW, {"ok": [approved["id"]], "no": [rejected["id"]]})
            )
            assert review["approveDeeds"] == {
                "deeds": [{"id": approved["id"], "status": "APPROVED"}],
                "errors": [],
            }
            assert review["rejectDeeds"] == {"deeds": [{"status": "CANCELLED"}], "errors": []}
            # Pin a member of the rejected deed to its need: the re-run must keep them there.
            member = rejected["team"][0]["id"]
            pinned = data_of(
                await gql(client, PIN, {"need": rejected["need"]["id"], "person": member})
            )["pin"]
            assert pinned["errors"] == [] and pinned["constraint"]["kind"] == "PIN"
            room = await _pin_a_room(client, town, rejected["need"]["id"])
            listed = data_of(await gql(client, CONSTRAINTS, {"cell": town}))["runConstraints"]
            assert sorted((c["kind"], c["quantity"] or 0) for c in listed["nodes"]) == [
                ("FORBID", 0),
                ("PIN", 0),
                ("PIN", 1),
            ]
            forbid = next(c for c in listed["nodes"] if c["kind"] == "FORBID")
            assert forbid["person"]["id"] == rejected["lead"]["id"]

            second_run = await start(client, town)
            states = await follow(base, second_run)
            assert states[-1]["status"] == "SUCCEEDED", await wait_for_end(client, second_run)
            again = data_of(await gql(client, PROPOSALS, {"id": second_run}))["optimisationRun"]
            deeds = [p["deed"] for p in again["proposals"]["nodes"]]
            # The approved deed is untouched; no new proposal takes its need.
            assert await _members(demo_url, pk_of(approved["id"])) == before
            assert all(d["need"]["id"] != approved["need"]["id"] for d in deeds)
            # The rejected lead/need pair is absent; the pinned member serves the need.
            redo = [d for d in deeds if d["need"]["id"] == rejected["need"]["id"]]
            assert len(redo) == 1
            assert redo[0]["lead"]["id"] != rejected["lead"]["id"]
            assert member in {p["id"] for p in redo[0]["team"]}
            # The pinned room is on the redone deed (and nowhere else: it has one unit).
            assert {"quantity": 1, "resource": {"id": room}} in redo[0]["resources"]
            # The first run's unreviewed proposals were replaced: none of them is left.
            leftovers = await sql(
                demo_url,
                "SELECT count(*) AS n FROM run_proposals p JOIN deeds d ON d.id = p.deed_id "
                "WHERE p.run_id = :r AND d.status = 'PROPOSED'",
                {"r": pk_of(first_run)},
            )
            assert leftovers == [{"n": 0}]
            assert await overcommitted(demo_url) == []

            run_pk = pk_of(second_run)
            instance = (await client.get(f"/runs/{run_pk}/instance.json")).content
            solution = (await client.get(f"/runs/{run_pk}/solution.json")).content
    _replays(tmp_path, instance, solution)


async def test_a_websocket_authenticates_from_connection_init(demo_url: str) -> None:
    """An unknown token closes the socket (4403); without one a run is not found."""
    town = await cell_gid(demo_url, "NH-JJ")
    with served(demo_url, {"SANDAN_RUNS_IN_SERVER": "0"}) as base:
        headers = {"authorization": f"Bearer {STAFF_TOKEN}"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
            run_id = await start(client, town)
        ws_url = base.replace("http://", "ws://") + "/graphql"
        async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            init = {
                "type": "connection_init",
                "payload": {"authorization": "Bearer not-a-token-at-all"},
            }
            await ws.send(json.dumps(init))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
        async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            query = {"query": SUBSCRIBE, "variables": {"id": run_id}}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": query}))
            message = json.loads(await ws.recv())
            assert message["type"] == "next"
            assert message["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
