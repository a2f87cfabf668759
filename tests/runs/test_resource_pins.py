"""Resource pins through the API on both engines: pinResource checks the need and the
resource (scope, eligibility, quantity, free units) and writes nothing when it refuses; a
pin is listed with the person pins and can be lifted; a run reserves the pinned units, puts
them on the fulfilled need's deed with an explanation, and leaves an unmatched need with
nothing, never committing a resource beyond its capacity."""

from __future__ import annotations

from typing import Any

import orjson

from sandan.db.enums import Role
from tests.accounts import make_token
from tests.api.helpers import data_of, gid, pk_of, scalar, sql
from tests.conftest import STAFF_TOKEN, api_client, gql
from tests.runs.helpers import PERIOD, cell_gid, overcommitted, start, wait_for_end

PIN_RESOURCE = """
mutation Pin($input: ResourcePinInput!) {
  pinResource(input: $input) {
    constraint { id kind quantity role person { id } resource { id } need { id } createdBy }
    errors { code field message }
  }
}"""
LIFT = (
    "mutation($id: ID!) { liftRunConstraint(id: $id) { constraint { liftedAt } errors { code } } }"
)
CONSTRAINTS = """
query($cell: ID!) { runConstraints(cell: $cell) { nodes { kind quantity resource { id } } } }"""
CLOSE = 'mutation($id: ID!) { closeNeed(id: $id, reason: "已解决") { errors { code } } }'
NEED = """
mutation($input: CreateNeedInput!) { createNeed(input: $input) { need { id } errors { code } } }"""
RESOURCE = """
mutation($input: CreateResourceInput!) {
  createResource(input: $input) { resource { id } errors { code } }
}"""


async def _branch(url: str, village: str) -> str:
    pk = await scalar(
        url,
        "SELECT min(id) FROM cells WHERE level = 'BRANCH' AND code LIKE :c",
        {"c": f"{village}-%"},
    )
    return gid("Cell", int(pk))


async def _need(client: Any, cell: str, **extra: Any) -> str:
    input_ = {
        "cell": cell,
        "title": "借用活动室",
        "category": "CULTURE_SPORTS",
        "channel": "MEETING",
        "needsLead": False,
        "resourceRequests": [{"kind": "VENUE", "quantity": 2}],
        "windowFrom": PERIOD["from"],
        "windowTo": PERIOD["to"],
        **extra,
    }
    body = data_of(await gql(client, NEED, {"input": input_}))["createNeed"]
    assert body["errors"] == [], body
    need_id: str = body["need"]["id"]
    return need_id


async def _resource(client: Any, cell: str, **extra: Any) -> str:
    input_ = {"cell": cell, "title": "活动室", "kind": "VENUE", "capacity": 3, **extra}
    body = data_of(await gql(client, RESOURCE, {"input": input_}))["createResource"]
    assert body["errors"] == [], body
    resource_id: str = body["resource"]["id"]
    return resource_id


async def _pin(client: Any, need: str, resource: str, quantity: int = 1) -> dict[str, Any]:
    input_ = {"need": need, "resource": resource, "quantity": quantity}
    answer: dict[str, Any] = data_of(await gql(client, PIN_RESOURCE, {"input": input_}))
    return answer["pinResource"]


async def _refused(client: Any, need: str, resource: str, quantity: int = 1) -> list[Any]:
    payload = await _pin(client, need, resource, quantity)
    assert payload["constraint"] is None
    return [(e["code"], e["field"]) for e in payload["errors"]]


async def _pins(url: str) -> int:
    return int(
        await scalar(url, "SELECT count(*) FROM run_constraints WHERE resource_id IS NOT NULL")
    )


async def test_a_pin_is_checked_recorded_listed_and_lifted(demo_url: str) -> None:
    branch, other = await _branch(demo_url, "NH-JJ-01"), await _branch(demo_url, "NH-JJ-02")
    village_1 = await cell_gid(demo_url, "NH-JJ-01")
    async with api_client(demo_url, token=STAFF_TOKEN, runs_in_server=False) as c:
        need = await _need(c, branch)
        room = await _resource(c, village_1, reach="VILLAGE")
        far = await _resource(c, other, reach="VILLAGE")  # reaches village 2 only
        van = await _resource(c, village_1, kind="VEHICLE")
        safety = await _resource(c, village_1, categories=["SAFETY"])
        later = await _resource(c, village_1, availableFrom="2030-01-01")
        closed_need = await _need(c, branch)
        closed = await gql(c, CLOSE, {"id": closed_need})
        assert data_of(closed)["closeNeed"]["errors"] == []

        assert await _refused(c, need, room, 0) == [("OUT_OF_RANGE", "quantity")]
        assert await _refused(c, need, room, 3) == [("OUT_OF_RANGE", "quantity")]
        assert await _refused(c, need, far) == [("NOT_ELIGIBLE", "resource")]
        assert await _refused(c, need, van) == [("NOT_ELIGIBLE", "resource")]
        assert await _refused(c, need, safety) == [("NOT_ELIGIBLE", "resource")]
        assert await _refused(c, need, later) == [("NOT_ELIGIBLE", "resource")]
        assert await _refused(c, closed_need, room) == [("NOT_ELIGIBLE", "need")]
        assert await _refused(c, "nonsense", room) == [("INVALID_ID", "need")]
        assert await _refused(c, need, gid("Resource", 999_999)) == [("NOT_FOUND", "resource")]
        assert await _pins(demo_url) == 0

        pinned = await _pin(c, need, room, 2)
        assert pinned["errors"] == []
        constraint = pinned["constraint"]
        assert constraint["kind"] == "PIN" and constraint["quantity"] == 2
        assert constraint["person"] is None and constraint["role"] is None
        assert constraint["resource"]["id"] == room and constraint["need"]["id"] == need
        # The need's two VENUE units are both pinned now; another need takes the last free
        # unit of the room, and then the room has none left.
        assert await _refused(c, need, room) == [("OUT_OF_RANGE", "quantity")]
        second = await _need(c, branch, resourceRequests=[{"kind": "VENUE", "quantity": 5}])
        assert await _refused(c, second, room, 2) == [("NOT_ENOUGH_CAPACITY", "quantity")]
        assert (await _pin(c, second, room, 1))["errors"] == []
        listed = data_of(await gql(c, CONSTRAINTS, {"cell": village_1}))["runConstraints"]
        assert sorted((n["kind"], n["quantity"]) for n in listed["nodes"]) == [
            ("PIN", 1),
            ("PIN", 2),
        ]
        # Lifting frees the units.
        lifted = data_of(await gql(c, LIFT, {"id": constraint["id"]}))["liftRunConstraint"]
        assert lifted["errors"] == [] and lifted["constraint"]["liftedAt"]
        assert (await _pin(c, second, room, 2))["errors"] == []

    # Both the need and the resource must lie in the caller's scope.
    village_2_staff = await make_token(demo_url, Role.VILLAGE_STAFF, "NH-JJ-02")
    async with api_client(demo_url, token=village_2_staff, runs_in_server=False) as c:
        assert await _refused(c, need, far) == [("NOT_FOUND", "need")]
    village_1_staff = await make_token(demo_url, Role.VILLAGE_STAFF, "NH-JJ-01")
    async with api_client(demo_url, token=village_1_staff, runs_in_server=False) as c:
        assert await _refused(c, need, far) == [("NOT_FOUND", "resource")]
    async with api_client(demo_url, runs_in_server=False) as public:
        assert await _refused(public, need, room) == [("FORBIDDEN", None)]
    assert await _pins(demo_url) == 3


async def _uses(url: str, need: str) -> list[dict[str, Any]]:
    return await sql(
        url,
        "SELECT u.resource_id, u.quantity, d.status FROM deed_resources u "
        "JOIN deeds d ON d.id = u.deed_id WHERE d.need_id = :n ORDER BY u.resource_id",
        {"n": pk_of(need)},
    )


async def test_a_run_puts_the_pinned_units_on_the_deed_and_never_over_commits(
    demo_url: str,
) -> None:
    town, village_1 = await cell_gid(demo_url, "NH-JJ"), await cell_gid(demo_url, "NH-JJ-01")
    branch = await _branch(demo_url, "NH-JJ-01")
    async with api_client(demo_url, token=STAFF_TOKEN, run_poll_seconds=0.2) as c:
        room = await _resource(c, village_1, capacity=3, categories=["OTHER"])
        served = await _need(c, branch, category="OTHER")
        # Nobody has this skill: the need stays unmatched and its pinned unit holds nothing.
        hopeless = await _need(
            c,
            branch,
            category="OTHER",
            volunteers=1,
            skills=["no-one-has-this-skill"],
            resourceRequests=[{"kind": "VENUE", "quantity": 1}],
        )
        assert (await _pin(c, served, room, 1))["errors"] == []
        assert (await _pin(c, hopeless, room, 1))["errors"] == []
        run_id = await start(c, town)
        run = await wait_for_end(c, run_id)
        assert run["status"] == "SUCCEEDED", run

        uses = await _uses(demo_url, served)
        assert {u["status"] for u in uses} == {"PROPOSED"}
        # The pinned unit (the solver may have drawn the second one from the room as well).
        assert sum(u["quantity"] for u in uses if u["resource_id"] == pk_of(room)) >= 1
        assert sum(u["quantity"] for u in uses) == 2  # one pinned, one from the solver
        explanation = await scalar(
            demo_url,
            "SELECT p.explanation FROM run_proposals p JOIN deeds d ON d.id = p.deed_id "
            "WHERE d.need_id = :n",
            {"n": pk_of(served)},
        )
        lines = explanation if isinstance(explanation, list) else orjson.loads(explanation)
        assert any(
            line.startswith(f"Pinned by staff: 1 x r{pk_of(room)} (VENUE)") for line in lines
        )
        assert await _uses(demo_url, hopeless) == []
        # One unit was reserved for the unmatched need: the deeds took at most the other two.
        room_units = await scalar(
            demo_url,
            "SELECT coalesce(sum(quantity), 0) FROM deed_resources WHERE resource_id = :r",
            {"r": pk_of(room)},
        )
        assert 1 <= room_units <= 2
        assert await overcommitted(demo_url) == []
        # The downloaded instance shows the reservations and the capacity left to the solver.
        instance = orjson.loads((await c.get(f"/runs/{pk_of(run_id)}/instance.json")).content)
        assert {p["need"] for p in instance["resource_pins"]} == {
            f"n{pk_of(served)}",
            f"n{pk_of(hopeless)}",
        }
        assert (
            next(r for r in instance["resources"] if r["id"] == f"r{pk_of(room)}")["capacity"] == 1
        )
