"""Organisations: createOrganisation, updateOrganisation and closeOrganisation land in the
database; every refusal is typed and writes nothing."""

from __future__ import annotations

import pytest

from tests.api.helpers import gid, pk_of, scalar
from tests.api.mutations.documents import (
    CLOSE_ORGANISATION,
    CREATE_ORGANISATION,
    UPDATE_ORGANISATION,
)
from tests.api.mutations.helpers import Demo, Refusal, codes, ok, params, run
from tests.conftest import STAFF_TOKEN, api_client


async def test_create_update_close(demo: Demo) -> None:
    d = demo
    async with api_client(d.url, token=STAFF_TOKEN) as client:
        org = ok(
            await run(
                client,
                CREATE_ORGANISATION,
                {
                    "input": {
                        "cell": gid("Cell", d.town),
                        "name": "九江镇社工服务站",
                        "kind": "SOCIAL_ORGANISATION",
                    }
                },
            ),
            "organisation",
        )
        assert org["active"] is True and pk_of(org["cell"]["id"]) == d.town
        pk = pk_of(org["id"])
        assert (
            await scalar(d.url, f"SELECT name FROM organisations WHERE id = {pk}")
            == "九江镇社工服务站"
        )
        updated = ok(
            await run(
                client, UPDATE_ORGANISATION, {"id": org["id"], "input": {"contactName": "梁姑娘"}}
            ),
            "organisation",
        )
        assert updated["contactName"] == "梁姑娘"
        assert (
            await scalar(d.url, f"SELECT contact_name FROM organisations WHERE id = {pk}")
            == "梁姑娘"
        )
        closed = ok(await run(client, CLOSE_ORGANISATION, {"id": org["id"]}), "organisation")
        assert closed["active"] is False
        assert not await scalar(d.url, f"SELECT active FROM organisations WHERE id = {pk}")
        again = await run(client, CLOSE_ORGANISATION, {"id": org["id"]})
        assert codes(again) == {("ALREADY_CLOSED", "id")}


REFUSALS = [
    Refusal(
        "create: blank name",
        CREATE_ORGANISATION,
        lambda d: {"input": {"cell": gid("Cell", d.town), "name": "", "kind": "UNIT"}},
        {("REQUIRED", "name")},
    ),
    Refusal(
        "create: name too long and unknown cell",
        CREATE_ORGANISATION,
        lambda d: {"input": {"cell": gid("Cell", 987654), "name": "n" * 201, "kind": "UNIT"}},
        {("TOO_LONG", "name"), ("NOT_FOUND", "cell")},
    ),
    Refusal(
        "update: contact phone too long",
        UPDATE_ORGANISATION,
        lambda d: {
            "id": gid("Organisation", d.organisation),
            "input": {"contactPhone": "1" * 41},
        },
        {("TOO_LONG", "contactPhone")},
    ),
    Refusal(
        "update: unknown organisation",
        UPDATE_ORGANISATION,
        lambda d: {"id": gid("Organisation", 987654), "input": {"name": "x"}},
        {("NOT_FOUND", "id")},
    ),
    Refusal(
        "close: garbage id",
        CLOSE_ORGANISATION,
        lambda d: {"id": "nope"},
        {("INVALID_ID", "id")},
    ),
]


@pytest.mark.parametrize("case", params(REFUSALS))
async def test_refused(shared_demo: Demo, case: Refusal) -> None:
    await case.check(shared_demo)
