"""Households: createHousehold, updateHousehold and closeHousehold land in the database; every
refusal is typed and writes nothing; a household's code is unique."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import gid, pk_of, scalar, sql
from tests.api.mutations.documents import CLOSE_HOUSEHOLD, CREATE_HOUSEHOLD, UPDATE_HOUSEHOLD
from tests.api.mutations.helpers import Demo, Refusal, Variables, codes, input_of, ok, params, run
from tests.conftest import STAFF_TOKEN, api_client


async def test_create_update_close(demo: Demo) -> None:
    d = demo
    async with api_client(d.url, token=STAFF_TOKEN) as client:
        household = ok(
            await run(
                client,
                CREATE_HOUSEHOLD,
                {
                    "input": {
                        "cell": gid("Cell", d.group),
                        "code": "TEST-H-0001",
                        "headName": "何伯",
                        "address": "九江镇某村12号",
                        "size": 2,
                        "elderlyAlone": True,
                        "contactPerson": gid("Person", d.free_person),
                    }
                },
            ),
            "household",
        )
        assert household["headName"] == "何伯" and household["elderlyAlone"] is True
        assert pk_of(household["contactPerson"]["id"]) == d.free_person
        pk = pk_of(household["id"])
        row = (
            await sql(
                d.url,
                f"SELECT code, cell_id, size, contact_person_id FROM households WHERE id = {pk}",
            )
        )[0]
        assert row == {
            "code": "TEST-H-0001",
            "cell_id": d.group,
            "size": 2,
            "contact_person_id": d.free_person,
        }

        updated = ok(
            await run(
                client,
                UPDATE_HOUSEHOLD,
                # Its own code again is not a duplicate.
                {
                    "id": household["id"],
                    "input": {"size": 3, "headName": "何婆", "code": "TEST-H-0001"},
                },
            ),
            "household",
        )
        assert (updated["size"], updated["headName"]) == (3, "何婆")
        assert await scalar(d.url, f"SELECT size FROM households WHERE id = {pk}") == 3

        ok(await run(client, CLOSE_HOUSEHOLD, {"id": household["id"]}), "household")
        assert not await scalar(d.url, f"SELECT active FROM households WHERE id = {pk}")
        again = await run(client, CLOSE_HOUSEHOLD, {"id": household["id"]})
        assert codes(again) == {("ALREADY_CLOSED", "id")}


def _household(d: Demo) -> dict[str, Any]:
    return {
        "cell": gid("Cell", d.group),
        "code": "NEW-H-1",
        "headName": "黄姨",
        "address": "某街1号",
    }


def _create(**changes: Any) -> Variables:
    """createHousehold's variables: a household in the demo's first group with ``changes``."""
    return input_of(_household, **changes)


REFUSALS = [
    Refusal(
        "create: another household's code",
        CREATE_HOUSEHOLD,
        lambda d: _create(code=d.household_code)(d),
        {("DUPLICATE", "code")},
    ),
    Refusal(
        "create: village cell",
        CREATE_HOUSEHOLD,
        lambda d: _create(cell=gid("Cell", d.village))(d),
        {("WRONG_LEVEL", "cell")},
    ),
    Refusal("create: size 0", CREATE_HOUSEHOLD, _create(size=0), {("OUT_OF_RANGE", "size")}),
    Refusal(
        "create: blank address", CREATE_HOUSEHOLD, _create(address=""), {("REQUIRED", "address")}
    ),
    Refusal(
        "create: code too long", CREATE_HOUSEHOLD, _create(code="C" * 65), {("TOO_LONG", "code")}
    ),
    Refusal(
        "create: a household's id as contact person",
        CREATE_HOUSEHOLD,
        lambda d: _create(contactPerson=gid("Household", d.household))(d),
        {("INVALID_ID", "contactPerson")},
    ),
    Refusal(
        "update: null elderly-alone flag",
        UPDATE_HOUSEHOLD,
        lambda d: {"id": gid("Household", d.household), "input": {"elderlyAlone": None}},
        {("REQUIRED", "elderlyAlone")},
    ),
    # Renaming a household to another's code is a duplicate too.
    Refusal(
        "update: another household's code",
        UPDATE_HOUSEHOLD,
        lambda d: {"id": gid("Household", d.other_household), "input": {"code": d.household_code}},
        {("DUPLICATE", "code")},
    ),
    Refusal(
        "close: unknown household",
        CLOSE_HOUSEHOLD,
        lambda d: {"id": gid("Household", 987654)},
        {("NOT_FOUND", "id")},
    ),
]


@pytest.mark.parametrize("case", params(REFUSALS))
async def test_refused(shared_demo: Demo, case: Refusal) -> None:
    await case.check(shared_demo)
