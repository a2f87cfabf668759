"""Resources: createResource, updateResource and closeResource land in the database; every
refusal is typed and writes nothing; units committed to an active deed hold the resource."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import execute, gid, pk_of, scalar, sql
from tests.api.mutations.documents import CLOSE_RESOURCE, CREATE_RESOURCE, UPDATE_RESOURCE
from tests.api.mutations.helpers import Demo, Refusal, Variables, codes, input_of, ok, params, run
from tests.conftest import STAFF_TOKEN, api_client


async def test_create_update_close(demo: Demo) -> None:
    d = demo
    async with api_client(d.url, token=STAFF_TOKEN) as client:
        created = ok(
            await run(
                client,
                CREATE_RESOURCE,
                {
                    "input": {
                        "cell": gid("Cell", d.village),
                        "title": "党群服务中心多功能室",
                        "kind": "VENUE",
                        "capacity": 4,
                        "unit": "场",
                        "categories": ["CULTURE_SPORTS", "POLICY", "CULTURE_SPORTS"],
                        "providerOrganisation": gid("Organisation", d.organisation),
                        "availableFrom": "2026-05-01",
                        "availableTo": "2026-12-31",
                    }
                },
            ),
            "resource",
        )
        assert created["status"] == "ACTIVE" and created["capacity"] == 4
        assert created["categories"] == ["CULTURE_SPORTS", "POLICY"]
        assert pk_of(created["providerOrganisation"]["id"]) == d.organisation
        pk = pk_of(created["id"])
        row = (
            await sql(
                d.url, f"SELECT title, cell_id, capacity, status FROM resources WHERE id = {pk}"
            )
        )[0]
        assert row == {
            "title": "党群服务中心多功能室",
            "cell_id": d.village,
            "capacity": 4,
            "status": "ACTIVE",
        }

        updated = ok(
            await run(client, UPDATE_RESOURCE, {"id": created["id"], "input": {"capacity": 9}}),
            "resource",
        )
        assert updated["capacity"] == 9
        assert await scalar(d.url, f"SELECT capacity FROM resources WHERE id = {pk}") == 9

        closed = ok(await run(client, CLOSE_RESOURCE, {"id": created["id"]}), "resource")
        assert closed["status"] == "CLOSED" and closed["closedAt"]
        assert await scalar(d.url, f"SELECT status FROM resources WHERE id = {pk}") == "CLOSED"
        again = await run(client, CLOSE_RESOURCE, {"id": created["id"]})
        assert codes(again) == {("ALREADY_CLOSED", "id")} and again["resource"] is None
        # A closed resource cannot be edited either.
        edit = await run(client, UPDATE_RESOURCE, {"id": created["id"], "input": {"capacity": 1}})
        assert codes(edit) == {("ALREADY_CLOSED", "id")}


def _material(d: Demo) -> dict[str, Any]:
    return {"cell": gid("Cell", d.branch), "title": "雨衣", "kind": "MATERIAL", "capacity": 10}


def _create(**changes: Any) -> Variables:
    """createResource's variables: material in the demo's first branch with ``changes``."""
    return input_of(_material, **changes)


def _resource(d: Demo) -> str:
    return gid("Resource", d.resource)


REFUSALS = [
    Refusal(
        "create: negative capacity",
        CREATE_RESOURCE,
        _create(capacity=-1),
        {("OUT_OF_RANGE", "capacity")},
    ),
    Refusal("create: blank title", CREATE_RESOURCE, _create(title=""), {("REQUIRED", "title")}),
    Refusal(
        "create: unit too long", CREATE_RESOURCE, _create(unit="单位" * 16), {("TOO_LONG", "unit")}
    ),
    Refusal(
        "create: reversed availability",
        CREATE_RESOURCE,
        _create(availableFrom="2026-09-01", availableTo="2026-08-01"),
        {("INVALID", "availableTo")},
    ),
    Refusal(
        "create: unknown provider person",
        CREATE_RESOURCE,
        _create(providerPerson=gid("Person", 987654)),
        {("NOT_FOUND", "providerPerson")},
    ),
    Refusal(
        "create: garbage provider organisation",
        CREATE_RESOURCE,
        _create(providerOrganisation="x"),
        {("INVALID_ID", "providerOrganisation")},
    ),
    Refusal(
        "update: null capacity",
        UPDATE_RESOURCE,
        lambda d: {"id": _resource(d), "input": {"capacity": None}},
        {("REQUIRED", "capacity")},
    ),
    Refusal(
        "close: unknown resource",
        CLOSE_RESOURCE,
        lambda d: {"id": gid("Resource", 987654)},
        {("NOT_FOUND", "id")},
    ),
]


@pytest.mark.parametrize("case", params(REFUSALS))
async def test_refused(shared_demo: Demo, case: Refusal) -> None:
    await case.check(shared_demo)


@pytest.fixture
async def committed(demo: Demo) -> Demo:
    """The demo clone with 3 of its first resource's 5 units committed to an active deed (no
    mutation does this yet)."""
    await execute(
        demo.url,
        "INSERT INTO deed_resources (deed_id, resource_id, quantity) "
        f"VALUES ({demo.deed}, {demo.resource}, 3)",
        f"UPDATE resources SET capacity = 5 WHERE id = {demo.resource}",
    )
    return demo


COMMITTED_REFUSALS = [
    Refusal(
        "update: capacity below the committed units",
        UPDATE_RESOURCE,
        lambda d: {"id": _resource(d), "input": {"capacity": 2}},
        {("CONFLICT", "capacity")},
    ),
    Refusal(
        "close: units committed to an active deed",
        CLOSE_RESOURCE,
        lambda d: {"id": _resource(d)},
        {("CONFLICT", "id")},
    ),
]


@pytest.mark.parametrize("case", params(COMMITTED_REFUSALS))
async def test_committed_units_refuse(committed: Demo, case: Refusal) -> None:
    await case.check(committed)


async def test_committed_units_allow_down_to_them_and_free_when_done(committed: Demo) -> None:
    d = committed
    rid = _resource(d)
    async with api_client(d.url, token=STAFF_TOKEN) as client:
        # Capacity down to exactly the committed units is fine.
        assert (
            ok(
                await run(client, UPDATE_RESOURCE, {"id": rid, "input": {"capacity": 3}}),
                "resource",
            )["capacity"]
            == 3
        )
        # Once the deed is done the units are free again and the resource can be withdrawn.
        await execute(d.url, f"UPDATE deeds SET status = 'COMPLETED' WHERE id = {d.deed}")
        ok(await run(client, CLOSE_RESOURCE, {"id": rid}), "resource")
