"""Every reference a write makes is checked against the caller's scope, not only the written
record: a village's staff cannot link another village's member, organisation or household,
whatever field links it. Records above the caller's subtree (the town's organisations) may be
linked: the whole town uses them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.helpers import gid, scalar
from tests.api.mutations.documents import (
    CREATE_HOUSEHOLD,
    CREATE_NEED,
    CREATE_PERSON,
    CREATE_RESOURCE,
    RECORD_VISIT,
    UPDATE_HOUSEHOLD,
    UPDATE_PERSON,
    UPDATE_RESOURCE,
)
from tests.api.mutations.helpers import Demo, codes, need_input, ok, refused, run
from tests.conftest import api_client

VILLAGE_TOKEN = "village-ref-token-123456"


@dataclass
class Outside:
    """Records of the demo's other village, and the town's own organisation."""

    person: int
    organisation: int
    household: int
    town_organisation: int
    village_person: int  # a member of the caller's own village


async def outside(d: Demo) -> Outside:
    async def in_subtree(table: str, cell: int) -> int:
        under = f"(SELECT path FROM cells WHERE id = {cell})"
        return int(
            await scalar(
                d.url,
                f"SELECT MIN(t.id) FROM {table} t JOIN cells c ON c.id = t.cell_id "
                f"WHERE substr(c.path, 1, length({under})) = {under}",
            )
        )

    return Outside(
        person=await in_subtree("people", d.other_village),
        organisation=await in_subtree("organisations", d.other_village),
        household=await in_subtree("households", d.other_village),
        town_organisation=int(
            await scalar(d.url, f"SELECT MIN(id) FROM organisations WHERE cell_id = {d.town}")
        ),
        village_person=await in_subtree("people", d.village),
    )


def _mine(d: Demo) -> dict[str, str]:
    return {VILLAGE_TOKEN: d.village_code}


def _resource(d: Demo, **refs: str) -> dict[str, object]:
    return {"cell": gid("Cell", d.branch), "title": "t", "kind": "OTHER", "capacity": 1, **refs}


def _household(d: Demo, **refs: str) -> dict[str, object]:
    return {"cell": gid("Cell", d.group), "code": "REF1", "headName": "h", "address": "a", **refs}


def _person(d: Demo, **refs: str) -> dict[str, object]:
    return {"cell": gid("Cell", d.group), "name": "n", "kind": "VOLUNTEER", **refs}


# (case id, mutation, variables from the demo and the outside records, the field at fault)
CASES = [
    (
        "need.reportedBy",
        CREATE_NEED,
        lambda d, o: {"input": need_input(d, household=None, reportedBy=gid("Person", o.person))},
        "reportedBy",
    ),
    (
        "resource.providerOrganisation",
        CREATE_RESOURCE,
        lambda d, o: {
            "input": _resource(d, providerOrganisation=gid("Organisation", o.organisation))
        },
        "providerOrganisation",
    ),
    (
        "resource.providerPerson",
        CREATE_RESOURCE,
        lambda d, o: {"input": _resource(d, providerPerson=gid("Person", o.person))},
        "providerPerson",
    ),
    (
        "person.organisation",
        CREATE_PERSON,
        lambda d, o: {"input": _person(d, organisation=gid("Organisation", o.organisation))},
        "organisation",
    ),
    (
        "household.contactPerson",
        CREATE_HOUSEHOLD,
        lambda d, o: {"input": _household(d, contactPerson=gid("Person", o.person))},
        "contactPerson",
    ),
    (
        "updateHousehold.contactPerson",
        UPDATE_HOUSEHOLD,
        lambda d, o: {
            "id": gid("Household", d.household),
            "input": {"contactPerson": gid("Person", o.person)},
        },
        "contactPerson",
    ),
    (
        "visit.person",
        RECORD_VISIT,
        lambda d, o: {
            "input": {"household": gid("Household", d.household), "person": gid("Person", o.person)}
        },
        "person",
    ),
]


@pytest.mark.parametrize(
    ("mutation", "variables", "field"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_another_villages_record_cannot_be_linked(
    shared_demo: Demo, mutation: str, variables: Any, field: str
) -> None:
    d = shared_demo
    o = await outside(d)
    async with api_client(d.url, token=VILLAGE_TOKEN, staff_tokens=_mine(d)) as client:
        await refused(client, d.url, mutation, variables(d, o), {("FORBIDDEN", field)})


HOUSEHOLD_REFS = [
    (
        "need.household",
        CREATE_NEED,
        lambda d, o: {"input": need_input(d, household=gid("Household", o.household))},
        "household",
    ),
    (
        "person.household",
        UPDATE_PERSON,
        lambda d, o: {
            "id": gid("Person", o.village_person),
            "input": {"household": gid("Household", o.household)},
        },
        "household",
    ),
    (
        "visit.household",
        RECORD_VISIT,
        lambda d, o: {
            "input": {
                "household": gid("Household", o.household),
                "person": gid("Person", o.village_person),
            }
        },
        "household",
    ),
]


@pytest.mark.parametrize(
    ("mutation", "variables", "field"),
    [c[1:] for c in HOUSEHOLD_REFS],
    ids=[c[0] for c in HOUSEHOLD_REFS],
)
async def test_another_villages_household_does_not_exist_for_them(
    shared_demo: Demo, mutation: str, variables: Any, field: str
) -> None:
    """Households are personal data: outside the caller's scope they are not found at all
    (FORBIDDEN would confirm that the id exists)."""
    d = shared_demo
    o = await outside(d)
    async with api_client(d.url, token=VILLAGE_TOKEN, staff_tokens=_mine(d)) as client:
        await refused(client, d.url, mutation, variables(d, o), {("NOT_FOUND", field)})


async def test_records_of_the_callers_subtree_and_above_may_be_linked(demo: Demo) -> None:
    d = demo
    o = await outside(d)
    refs = {
        "providerOrganisation": gid("Organisation", o.town_organisation),
        "providerPerson": gid("Person", o.village_person),
    }
    async with api_client(d.url, token=VILLAGE_TOKEN, staff_tokens=_mine(d)) as client:
        made = ok(await run(client, CREATE_RESOURCE, {"input": _resource(d, **refs)}), "resource")
        assert made["providerOrganisation"]["id"] == refs["providerOrganisation"]
        changed = await run(
            client,
            UPDATE_RESOURCE,
            {
                "id": made["id"],
                "input": {"providerOrganisation": gid("Organisation", o.organisation)},
            },
        )
    assert codes(changed) == {("FORBIDDEN", "providerOrganisation")}
