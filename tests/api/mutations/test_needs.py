"""Needs: createNeed, updateNeed and closeNeed land in the database; every refusal is typed
and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import data_of, gid, pk_of, scalar, sql
from tests.api.mutations.documents import CLOSE_NEED, CREATE_NEED, UPDATE_NEED
from tests.api.mutations.helpers import (
    Demo,
    Refusal,
    Variables,
    input_of,
    need_input,
    ok,
    params,
    refused,
    run,
)
from tests.conftest import STAFF_TOKEN, api_client, gql


async def test_create_update_close(demo: Demo) -> None:
    d = demo
    before = await scalar(d.url, "SELECT COUNT(*) FROM needs")
    async with api_client(d.url, token=STAFF_TOKEN) as client:
        need = ok(await run(client, CREATE_NEED, {"input": need_input(d)}), "need")
        assert need["title"] == "长者助餐点排队太长"  # trimmed
        assert need["status"] == "OPEN" and need["urgency"] == "HIGH"
        assert need["skills"] == ["助餐", "组织协调"]  # trimmed, deduplicated, order kept
        assert sorted((r["kind"], r["quantity"]) for r in need["resourceRequests"]) == [
            ("MATERIAL", 5),
            ("VENUE", 3),
        ]
        assert pk_of(need["cell"]["id"]) == d.branch
        pk = pk_of(need["id"])
        rows = await sql(
            d.url,
            f"SELECT title, cell_id, household_id, volunteers, status FROM needs WHERE id = {pk}",
        )
        assert rows == [
            {
                "title": "长者助餐点排队太长",
                "cell_id": d.branch,
                "household_id": d.household,
                "volunteers": 3,
                "status": "OPEN",
            }
        ]
        assert await scalar(d.url, "SELECT COUNT(*) FROM needs") == before + 1
        # It is in the list, under its village.
        listed = await gql(
            client,
            "query($u: ID) { needs(filter: {under: $u}, first: 100) { nodes { id } } }",
            {"u": gid("Cell", d.village)},
        )
        assert need["id"] in [n["id"] for n in data_of(listed)["needs"]["nodes"]]

        updated = ok(
            await run(
                client,
                UPDATE_NEED,
                {
                    "id": need["id"],
                    "input": {
                        "title": "助餐点排队",
                        "urgency": "CRITICAL",
                        "cell": gid("Cell", d.group),
                    },
                },
            ),
            "need",
        )
        assert updated["title"] == "助餐点排队" and updated["urgency"] == "CRITICAL"
        assert updated["windowFrom"] == "2026-06-01"  # untouched fields stay
        row = (
            await sql(
                d.url, f"SELECT title, urgency, cell_id, window_to FROM needs WHERE id = {pk}"
            )
        )[0]
        assert (row["title"], row["urgency"], row["cell_id"]) == ("助餐点排队", "CRITICAL", d.group)
        # An explicit null clears an optional field.
        cleared = ok(
            await run(client, UPDATE_NEED, {"id": need["id"], "input": {"windowTo": None}}), "need"
        )
        assert cleared["windowTo"] is None
        assert await scalar(d.url, f"SELECT window_to FROM needs WHERE id = {pk}") is None

        closed = ok(
            await run(client, CLOSE_NEED, {"id": need["id"], "reason": " 已由街坊会解决 "}), "need"
        )
        assert closed["status"] == "CLOSED" and closed["closeReason"] == "已由街坊会解决"
        assert closed["closedAt"]
        row = (await sql(d.url, f"SELECT status, close_reason FROM needs WHERE id = {pk}"))[0]
        assert row == {"status": "CLOSED", "close_reason": "已由街坊会解决"}


def _create(**changes: Any) -> Variables:
    """createNeed's variables: the valid input with ``changes``."""
    return input_of(need_input, **changes)


def _update(**input: Any) -> Variables:
    """updateNeed's variables for the demo's open need."""
    return lambda d: {"id": gid("Need", d.open_need), "input": input}


NOWHERE = 987654  # a primary key no demo row has

REFUSALS = [
    Refusal("create: blank title", CREATE_NEED, _create(title="   "), {("REQUIRED", "title")}),
    Refusal(
        "create: title too long", CREATE_NEED, _create(title="长" * 201), {("TOO_LONG", "title")}
    ),
    Refusal(
        "create: description too long",
        CREATE_NEED,
        _create(description="x" * 4001),
        {("TOO_LONG", "description")},
    ),
    Refusal(
        "create: too many volunteers",
        CREATE_NEED,
        _create(volunteers=51),
        {("OUT_OF_RANGE", "volunteers")},
    ),
    Refusal("create: negative hours", CREATE_NEED, _create(hours=-1), {("OUT_OF_RANGE", "hours")}),
    Refusal(
        "create: window before 2000",
        CREATE_NEED,
        _create(windowFrom="1999-12-31"),
        {("OUT_OF_RANGE", "windowFrom")},
    ),
    Refusal(
        "create: zero units requested",
        CREATE_NEED,
        _create(resourceRequests=[{"kind": "VENUE", "quantity": 0}]),
        {("OUT_OF_RANGE", "resourceRequests")},
    ),
    Refusal(
        "create: too many skills",
        CREATE_NEED,
        _create(skills=[f"s{i}" for i in range(21)]),
        {("OUT_OF_RANGE", "skills")},
    ),
    Refusal(
        "create: skill too long", CREATE_NEED, _create(skills=["长" * 41]), {("TOO_LONG", "skills")}
    ),
    Refusal(
        "create: reversed window",
        CREATE_NEED,
        _create(windowFrom="2026-07-01", windowTo="2026-06-01"),
        {("INVALID", "windowTo")},
    ),
    Refusal(
        "create: garbage cell id", CREATE_NEED, _create(cell="garbage"), {("INVALID_ID", "cell")}
    ),
    Refusal(
        "create: a person's id as cell",
        CREATE_NEED,
        lambda d: {"input": need_input(d, cell=gid("Person", d.free_person))},
        {("INVALID_ID", "cell")},
    ),
    Refusal(
        "create: unknown cell",
        CREATE_NEED,
        _create(cell=gid("Cell", NOWHERE)),
        {("NOT_FOUND", "cell")},
    ),
    Refusal(
        "create: town cell",
        CREATE_NEED,
        lambda d: {"input": need_input(d, cell=gid("Cell", d.town))},
        {("WRONG_LEVEL", "cell")},
    ),
    Refusal(
        "create: unknown household",
        CREATE_NEED,
        _create(household=gid("Household", NOWHERE)),
        {("NOT_FOUND", "household")},
    ),
    Refusal(
        "create: garbage reporter id",
        CREATE_NEED,
        _create(reportedBy="%%%"),
        {("INVALID_ID", "reportedBy")},
    ),
    # Several problems at once are all reported.
    Refusal(
        "create: five problems at once",
        CREATE_NEED,
        lambda d: {
            "input": need_input(
                d,
                title="",
                description="x" * 5000,
                volunteers=99,
                cell=gid("Cell", d.town),
                windowFrom="2026-07-01",
                windowTo="2026-06-01",
            )
        },
        {
            ("REQUIRED", "title"),
            ("TOO_LONG", "description"),
            ("OUT_OF_RANGE", "volunteers"),
            ("WRONG_LEVEL", "cell"),
            ("INVALID", "windowTo"),
        },
    ),
    Refusal("update: null title", UPDATE_NEED, _update(title=None), {("REQUIRED", "title")}),
    Refusal("update: blank title", UPDATE_NEED, _update(title="  "), {("REQUIRED", "title")}),
    Refusal(
        "update: null category", UPDATE_NEED, _update(category=None), {("REQUIRED", "category")}
    ),
    Refusal("update: null cell", UPDATE_NEED, _update(cell=None), {("REQUIRED", "cell")}),
    # A null for a field that always has a value is refused, not a database error.
    Refusal("update: null urgency", UPDATE_NEED, _update(urgency=None), {("REQUIRED", "urgency")}),
    Refusal(
        "update: null volunteers",
        UPDATE_NEED,
        _update(volunteers=None),
        {("REQUIRED", "volunteers")},
    ),
    Refusal(
        "update: reversed window",
        UPDATE_NEED,
        _update(windowFrom="2026-07-01", windowTo="2026-06-01"),
        {("INVALID", "windowTo")},
    ),
    Refusal(
        "update: garbage id",
        UPDATE_NEED,
        lambda d: {"id": "garbage", "input": {"title": "x"}},
        {("INVALID_ID", "id")},
    ),
    Refusal(
        "update: a resource's id",
        UPDATE_NEED,
        lambda d: {"id": gid("Resource", d.resource), "input": {"title": "x"}},
        {("INVALID_ID", "id")},
    ),
    Refusal(
        "update: unknown need",
        UPDATE_NEED,
        lambda d: {"id": gid("Need", NOWHERE), "input": {"title": "x"}},
        {("NOT_FOUND", "id")},
    ),
    Refusal(
        "update: to a town cell",
        UPDATE_NEED,
        lambda d: {"id": gid("Need", d.open_need), "input": {"cell": gid("Cell", d.town)}},
        {("WRONG_LEVEL", "cell")},
    ),
    Refusal(
        "close: blank reason",
        CLOSE_NEED,
        lambda d: {"id": gid("Need", d.open_need), "reason": "   "},
        {("REQUIRED", "reason")},
    ),
    Refusal(
        "close: need with a deed",
        CLOSE_NEED,
        lambda d: {"id": gid("Need", d.matched_need), "reason": "不做了"},
        {("CONFLICT", "id")},
    ),
    Refusal(
        "close: unknown need",
        CLOSE_NEED,
        lambda d: {"id": gid("Need", NOWHERE), "reason": "不做了"},
        {("NOT_FOUND", "id")},
    ),
    Refusal(
        "close: garbage id",
        CLOSE_NEED,
        lambda d: {"id": "garbage", "reason": "不做了"},
        {("INVALID_ID", "id")},
    ),
]


@pytest.mark.parametrize("case", params(REFUSALS))
async def test_refused(shared_demo: Demo, case: Refusal) -> None:
    await case.check(shared_demo)


# Closed needs: closing or editing again is refused.
AFTER_CLOSE = [
    Refusal(
        "close again",
        CLOSE_NEED,
        lambda d: {"id": gid("Need", d.open_need), "reason": "重复"},
        {("ALREADY_CLOSED", "id")},
    ),
    Refusal("update when closed", UPDATE_NEED, _update(title="x"), {("ALREADY_CLOSED", "id")}),
]


@pytest.mark.parametrize("case", params(AFTER_CLOSE))
async def test_closed_need_is_refused(demo: Demo, case: Refusal) -> None:
    d = demo
    async with api_client(d.url, token=STAFF_TOKEN) as client:
        ok(
            await run(client, CLOSE_NEED, {"id": gid("Need", d.open_need), "reason": "重复"}),
            "need",
        )
        await refused(client, d.url, case.mutation, case.variables(d), case.expected)
