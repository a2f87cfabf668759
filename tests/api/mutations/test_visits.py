"""Contact visits: recordContactVisit lands in the database and in the household's visits; every
refusal is typed and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import data_of, gid, pk_of, scalar
from tests.api.mutations.documents import RECORD_VISIT
from tests.api.mutations.helpers import (
    Demo,
    Refusal,
    Variables,
    input_of,
    ok,
    params,
    run,
    visit_input,
)
from tests.conftest import STAFF_TOKEN, api_client, gql


async def test_record(demo: Demo) -> None:
    d = demo
    before = await scalar(
        d.url, f"SELECT COUNT(*) FROM contact_visits WHERE household_id = {d.household}"
    )
    async with api_client(d.url, token=STAFF_TOKEN) as client:
        visit = ok(
            await run(
                client,
                RECORD_VISIT,
                {
                    "input": visit_input(
                        d,
                        visitedOn="2026-06-02",
                        topics=["惠民政策宣讲", "听取意见建议"],
                        notes="老人腿脚不便，希望有人代购药品。",
                    )
                },
            ),
            "visit",
        )
        assert visit["visitedOn"] == "2026-06-02" and visit["topics"] == [
            "惠民政策宣讲",
            "听取意见建议",
        ]
        assert pk_of(visit["person"]["id"]) == d.free_person
        after = await scalar(
            d.url, f"SELECT COUNT(*) FROM contact_visits WHERE household_id = {d.household}"
        )
        assert after == before + 1
        body = await gql(
            client,
            "query($id: ID!) { node(id: $id) { ... on Household { visits { id notes } } } }",
            {"id": gid("Household", d.household)},
        )
        visits = data_of(body)["node"]["visits"]
        assert visit["id"] in [v["id"] for v in visits]
        assert len(visits) == after


def _record(**changes: Any) -> Variables:
    """recordContactVisit's variables: the demo's free person visits its household."""
    return input_of(visit_input, **changes)


REFUSALS = [
    Refusal(
        "garbage household id",
        RECORD_VISIT,
        _record(household="garbage"),
        {("INVALID_ID", "household")},
    ),
    Refusal(
        "unknown person",
        RECORD_VISIT,
        _record(person=gid("Person", 987654)),
        {("NOT_FOUND", "person")},
    ),
    Refusal(
        "too many topics",
        RECORD_VISIT,
        _record(topics=[f"t{i}" for i in range(11)]),
        {("OUT_OF_RANGE", "topics")},
    ),
    Refusal("notes too long", RECORD_VISIT, _record(notes="n" * 4001), {("TOO_LONG", "notes")}),
    Refusal(
        "visit in 2101",
        RECORD_VISIT,
        _record(visitedOn="2101-01-01"),
        {("OUT_OF_RANGE", "visitedOn")},
    ),
]


@pytest.mark.parametrize("case", params(REFUSALS))
async def test_refused(shared_demo: Demo, case: Refusal) -> None:
    await case.check(shared_demo)
