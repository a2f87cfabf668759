"""People: createPerson, updatePerson and closePerson land in the database; every refusal is
typed and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import data_of, gid, pk_of, scalar, sql
from tests.api.mutations.documents import CLOSE_PERSON, CREATE_PERSON, UPDATE_PERSON
from tests.api.mutations.helpers import Demo, Refusal, Variables, codes, input_of, ok, params, run
from tests.conftest import STAFF_TOKEN, api_client, gql


async def test_create_update_close(demo: Demo) -> None:
    d = demo
    async with api_client(d.url, token=STAFF_TOKEN) as client:
        person = ok(
            await run(
                client,
                CREATE_PERSON,
                {
                    "input": {
                        "cell": gid("Cell", d.group),
                        "name": "陈志强",
                        "kind": "PARTY_MEMBER",
                        "partyMember": True,
                        "maxLead": 2,
                        "phone": "13800000000",
                        "skills": ["急救"],
                        "categories": ["SAFETY"],
                    }
                },
            ),
            "person",
        )
        assert person["role"] == "MEMBER" and person["phone"] == "13800000000"
        pk = pk_of(person["id"])
        row = (
            await sql(d.url, f"SELECT name, cell_id, max_lead, active FROM people WHERE id = {pk}")
        )[0]
        assert (row["name"], row["cell_id"], row["max_lead"], bool(row["active"])) == (
            "陈志强",
            d.group,
            2,
            True,
        )
        people_q = "query($c: String!) { cell(code: $c) { people { id } } }"
        code = await scalar(d.url, f"SELECT code FROM cells WHERE id = {d.group}")
        members = data_of(await gql(client, people_q, {"c": code}))["cell"]["people"]
        assert person["id"] in [m["id"] for m in members]

        updated = ok(
            await run(client, UPDATE_PERSON, {"id": person["id"], "input": {"name": "陈志刚"}}),
            "person",
        )
        assert updated["name"] == "陈志刚"
        assert await scalar(d.url, f"SELECT name FROM people WHERE id = {pk}") == "陈志刚"
        # The lead rule is checked against the merged record, not only the input.
        refused = await run(
            client, UPDATE_PERSON, {"id": person["id"], "input": {"partyMember": False}}
        )
        assert codes(refused) == {("INVALID", "maxLead")}

        closed = ok(await run(client, CLOSE_PERSON, {"id": person["id"]}), "person")
        assert closed["id"] == person["id"]
        assert not await scalar(d.url, f"SELECT active FROM people WHERE id = {pk}")
        members = data_of(await gql(client, people_q, {"c": code}))["cell"]["people"]
        assert person["id"] not in [m["id"] for m in members]  # left: no longer listed
        again = await run(client, CLOSE_PERSON, {"id": person["id"]})
        assert codes(again) == {("ALREADY_CLOSED", "id")}


def _person(d: Demo) -> dict[str, Any]:
    return {"cell": gid("Cell", d.group), "name": "李四", "kind": "VOLUNTEER"}


def _create(**changes: Any) -> Variables:
    """createPerson's variables: a volunteer in the demo's first group with ``changes``."""
    return input_of(_person, **changes)


def _update(**input: Any) -> Variables:
    """updatePerson's variables for the demo's first person with no deed (not a party member)."""
    return lambda d: {"id": gid("Person", d.free_person), "input": input}


REFUSALS = [
    Refusal(
        "create: volunteer may not lead",
        CREATE_PERSON,
        _create(maxLead=1),
        {("INVALID", "maxLead")},
    ),
    Refusal(
        "create: non-party member may not lead",
        CREATE_PERSON,
        _create(maxLead=1, partyMember=False, kind="PARTY_MEMBER"),
        {("INVALID", "maxLead")},
    ),
    Refusal(
        "create: name too long", CREATE_PERSON, _create(name="名" * 61), {("TOO_LONG", "name")}
    ),
    Refusal("create: blank name", CREATE_PERSON, _create(name=" "), {("REQUIRED", "name")}),
    Refusal(
        "create: too many hours", CREATE_PERSON, _create(hours=2001), {("OUT_OF_RANGE", "hours")}
    ),
    Refusal(
        "create: negative max deeds",
        CREATE_PERSON,
        _create(maxDeeds=-1),
        {("OUT_OF_RANGE", "maxDeeds")},
    ),
    Refusal(
        "create: town cell",
        CREATE_PERSON,
        lambda d: _create(cell=gid("Cell", d.town))(d),
        {("WRONG_LEVEL", "cell")},
    ),
    Refusal(
        "create: unknown organisation",
        CREATE_PERSON,
        _create(organisation=gid("Organisation", 987654)),
        {("NOT_FOUND", "organisation")},
    ),
    Refusal(
        "create: reversed availability",
        CREATE_PERSON,
        _create(availableFrom="2026-09-01", availableTo="2026-01-01"),
        {("INVALID", "availableTo")},
    ),
    Refusal(
        "create: four problems at once",
        CREATE_PERSON,
        _create(name="", hours=-5, maxLead=1, cell="bad"),
        {
            ("REQUIRED", "name"),
            ("OUT_OF_RANGE", "hours"),
            ("INVALID", "maxLead"),
            ("INVALID_ID", "cell"),
        },
    ),
    Refusal(
        "update: non-party member may not lead",
        UPDATE_PERSON,
        _update(maxLead=2),
        {("INVALID", "maxLead")},
    ),
    Refusal("update: null role", UPDATE_PERSON, _update(role=None), {("REQUIRED", "role")}),
    Refusal(
        "update: null party member",
        UPDATE_PERSON,
        _update(partyMember=None),
        {("REQUIRED", "partyMember")},
    ),
    Refusal(
        "close: lead of an active deed",
        CLOSE_PERSON,
        lambda d: {"id": gid("Person", d.deed_lead)},
        {("CONFLICT", "id")},
    ),
    Refusal(
        "close: team member of an active deed",
        CLOSE_PERSON,
        lambda d: {"id": gid("Person", d.deed_member)},
        {("CONFLICT", "id")},
    ),
    Refusal(
        "close: a cell's id",
        CLOSE_PERSON,
        lambda d: {"id": gid("Cell", d.group)},
        {("INVALID_ID", "id")},
    ),
]


@pytest.mark.parametrize("case", params(REFUSALS))
async def test_refused(shared_demo: Demo, case: Refusal) -> None:
    await case.check(shared_demo)
