"""Who may write: no mutation without a staff token; a village's staff write inside their village
only. Every refusal is typed and writes nothing."""

from __future__ import annotations

import pytest

from tests.api.helpers import gid, snapshot
from tests.api.mutations.documents import (
    CLOSE_HOUSEHOLD,
    CLOSE_NEED,
    CLOSE_ORGANISATION,
    CLOSE_PERSON,
    CLOSE_RESOURCE,
    CREATE_HOUSEHOLD,
    CREATE_NEED,
    CREATE_ORGANISATION,
    CREATE_PERSON,
    CREATE_RESOURCE,
    RECORD_VISIT,
    UPDATE_HOUSEHOLD,
    UPDATE_NEED,
    UPDATE_ORGANISATION,
    UPDATE_PERSON,
    UPDATE_RESOURCE,
)
from tests.api.mutations.helpers import (
    Demo,
    Expected,
    Refusal,
    need_input,
    ok,
    params,
    run,
    visit_input,
)
from tests.conftest import api_client

FORBIDDEN: Expected = {("FORBIDDEN", None)}

# Every mutation, with input that staff of the whole grid could send.
EVERY_MUTATION = [
    Refusal("createNeed", CREATE_NEED, lambda d: {"input": need_input(d)}, FORBIDDEN),
    Refusal(
        "updateNeed",
        UPDATE_NEED,
        lambda d: {"id": gid("Need", d.open_need), "input": {"title": "x"}},
        FORBIDDEN,
    ),
    Refusal(
        "closeNeed",
        CLOSE_NEED,
        lambda d: {"id": gid("Need", d.open_need), "reason": "x"},
        FORBIDDEN,
    ),
    Refusal(
        "createResource",
        CREATE_RESOURCE,
        lambda d: {
            "input": {
                "cell": gid("Cell", d.branch),
                "title": "t",
                "kind": "OTHER",
                "capacity": 1,
            }
        },
        FORBIDDEN,
    ),
    Refusal(
        "updateResource",
        UPDATE_RESOURCE,
        lambda d: {"id": gid("Resource", d.resource), "input": {"title": "x"}},
        FORBIDDEN,
    ),
    Refusal(
        "closeResource", CLOSE_RESOURCE, lambda d: {"id": gid("Resource", d.resource)}, FORBIDDEN
    ),
    Refusal(
        "createPerson",
        CREATE_PERSON,
        lambda d: {"input": {"cell": gid("Cell", d.group), "name": "n", "kind": "VOLUNTEER"}},
        FORBIDDEN,
    ),
    Refusal(
        "updatePerson",
        UPDATE_PERSON,
        lambda d: {"id": gid("Person", d.free_person), "input": {"name": "x"}},
        FORBIDDEN,
    ),
    Refusal("closePerson", CLOSE_PERSON, lambda d: {"id": gid("Person", d.free_person)}, FORBIDDEN),
    Refusal(
        "createHousehold",
        CREATE_HOUSEHOLD,
        lambda d: {
            "input": {
                "cell": gid("Cell", d.group),
                "code": "Z1",
                "headName": "h",
                "address": "a",
            }
        },
        FORBIDDEN,
    ),
    Refusal(
        "updateHousehold",
        UPDATE_HOUSEHOLD,
        lambda d: {"id": gid("Household", d.household), "input": {"size": 2}},
        FORBIDDEN,
    ),
    Refusal(
        "closeHousehold",
        CLOSE_HOUSEHOLD,
        lambda d: {"id": gid("Household", d.household)},
        FORBIDDEN,
    ),
    Refusal(
        "createOrganisation",
        CREATE_ORGANISATION,
        lambda d: {"input": {"cell": gid("Cell", d.town), "name": "n", "kind": "UNIT"}},
        FORBIDDEN,
    ),
    Refusal(
        "updateOrganisation",
        UPDATE_ORGANISATION,
        lambda d: {"id": gid("Organisation", d.organisation), "input": {"name": "x"}},
        FORBIDDEN,
    ),
    Refusal(
        "closeOrganisation",
        CLOSE_ORGANISATION,
        lambda d: {"id": gid("Organisation", d.organisation)},
        FORBIDDEN,
    ),
    Refusal(
        "recordContactVisit",
        RECORD_VISIT,
        lambda d: {"input": visit_input(d)},
        FORBIDDEN,
    ),
]


@pytest.mark.parametrize("case", params(EVERY_MUTATION))
async def test_forbidden_without_a_staff_token(shared_demo: Demo, case: Refusal) -> None:
    await case.check(shared_demo, token=None)


@pytest.mark.parametrize("case", params(EVERY_MUTATION))
async def test_unknown_token_is_refused_before_anything_runs(
    shared_demo: Demo, case: Refusal
) -> None:
    """An unknown token is not the public: HTTP 401, and nothing is written."""
    d = shared_demo
    before = await snapshot(d.url)
    async with api_client(d.url, token="unknown-token-abcdef") as client:
        response = await client.post(
            "/graphql", json={"query": case.mutation, "variables": case.variables(d)}
        )
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert await snapshot(d.url) == before


VILLAGE_TOKEN = "village-token-123456"


def _village_staff(d: Demo) -> dict[str, str]:
    """Settings that make VILLAGE_TOKEN the token of staff of the demo's first village."""
    return {VILLAGE_TOKEN: d.village_code}


async def test_village_staff_write_inside_their_village(demo: Demo) -> None:
    d = demo
    assert d.village_need
    async with api_client(d.url, token=VILLAGE_TOKEN, staff_tokens=_village_staff(d)) as client:
        ok(await run(client, CREATE_NEED, {"input": need_input(d)}), "need")
        ok(
            await run(
                client,
                UPDATE_NEED,
                {"id": gid("Need", d.village_need), "input": {"title": "本村的事"}},
            ),
            "need",
        )


OUTSIDE_THE_VILLAGE = [
    Refusal(
        "createNeed in another village",
        CREATE_NEED,
        lambda d: {"input": need_input(d, cell=gid("Cell", d.other_branch), household=None)},
        {("FORBIDDEN", "cell")},
    ),
    Refusal(
        "updateNeed of another village",
        UPDATE_NEED,
        lambda d: {"id": gid("Need", d.other_branch_need), "input": {"title": "x"}},
        {("FORBIDDEN", "id")},
    ),
    Refusal(
        "closeNeed of another village",
        CLOSE_NEED,
        lambda d: {"id": gid("Need", d.other_branch_need), "reason": "x"},
        {("FORBIDDEN", "id")},
    ),
    # Moving one's own need out of one's subtree is refused as well.
    Refusal(
        "updateNeed moving it out of the village",
        UPDATE_NEED,
        lambda d: {
            "id": gid("Need", d.village_need),
            "input": {"cell": gid("Cell", d.other_branch)},
        },
        {("FORBIDDEN", "cell")},
    ),
    Refusal(
        "createPerson in another village",
        CREATE_PERSON,
        lambda d: {"input": {"cell": gid("Cell", d.other_group), "name": "n", "kind": "VOLUNTEER"}},
        {("FORBIDDEN", "cell")},
    ),
    Refusal(
        "createOrganisation in the town",
        CREATE_ORGANISATION,
        lambda d: {"input": {"cell": gid("Cell", d.town), "name": "n", "kind": "UNIT"}},
        {("FORBIDDEN", "cell")},
    ),
    Refusal(
        "createHousehold in another village",
        CREATE_HOUSEHOLD,
        lambda d: {
            "input": {
                "cell": gid("Cell", d.other_group),
                "code": "Z2",
                "headName": "h",
                "address": "a",
            }
        },
        {("FORBIDDEN", "cell")},
    ),
]


@pytest.mark.parametrize("case", params(OUTSIDE_THE_VILLAGE))
async def test_village_staff_refused_outside_their_village(
    shared_demo: Demo, case: Refusal
) -> None:
    d = shared_demo
    assert d.village_need and d.other_branch_need
    await case.check(d, token=VILLAGE_TOKEN, staff_tokens=_village_staff(d))
