"""Helpers of the mutation tests: the demo's ids, payload checks, and refusal cases.

A refusal case writes nothing, so it runs on the shared read-only demo database (one per engine
for the whole session); the refusal itself proves it wrote nothing by comparing every row of
every table before and after. Cases that write use their own clone (the ``demo`` fixture).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.api.helpers import data_of, gid, scalar, snapshot
from tests.conftest import STAFF_TOKEN, api_client, gql

Expected = set[tuple[str, str | None]]


async def run(
    client: httpx.AsyncClient, mutation: str, variables: dict[str, Any]
) -> dict[str, Any]:
    """The payload of a one-field mutation."""
    data = data_of(await gql(client, mutation, variables))
    (payload,) = data.values()
    assert isinstance(payload, dict)
    return payload


def ok(payload: dict[str, Any], key: str) -> dict[str, Any]:
    assert payload["errors"] == [], payload
    obj = payload[key]
    assert obj is not None and obj["id"]
    return dict(obj)


def codes(payload: dict[str, Any]) -> Expected:
    return {(e["code"], e["field"]) for e in payload["errors"]}


@dataclass
class Demo:
    """Ids of the tiny demo, picked by what the rows are (never by a number seen in output)."""

    url: str
    town: int
    village: int
    village_code: str
    other_village: int
    branch: int
    other_branch: int
    group: int
    other_group: int  # in other_branch
    village_need: int  # in a group of branch
    other_branch_need: int  # in other_branch or one of its groups
    open_need: int
    matched_need: int
    deed: int
    deed_lead: int
    deed_member: int  # a team member of the deed, not its lead
    free_person: int
    household: int
    household_code: str
    other_household: int
    organisation: int
    resource: int


async def load_demo(url: str) -> Demo:
    async def one(query: str) -> Any:
        return await scalar(url, query)

    village = await one("SELECT MIN(id) FROM cells WHERE level = 'VILLAGE'")
    other_village = await one("SELECT MAX(id) FROM cells WHERE level = 'VILLAGE'")
    assert village != other_village
    branch = await one(f"SELECT MIN(id) FROM cells WHERE parent_id = {village}")
    other_branch = await one(f"SELECT MIN(id) FROM cells WHERE parent_id = {other_village}")
    deed = await one(
        "SELECT MIN(id) FROM deeds WHERE status IN ('APPROVED', 'PUBLISHED', 'IN_PROGRESS')"
    )
    deed_lead = await one(f"SELECT lead_id FROM deeds WHERE id = {deed}")
    busy = (
        "SELECT lead_id FROM deeds WHERE lead_id IS NOT NULL "
        "UNION SELECT person_id FROM deed_members"
    )
    household = await one(
        "SELECT MIN(id) FROM households WHERE cell_id IN "
        f"(SELECT id FROM cells WHERE parent_id = {branch})"
    )
    return Demo(
        url=url,
        town=await one("SELECT MIN(id) FROM cells WHERE level = 'TOWN'"),
        village=village,
        village_code=await one(f"SELECT code FROM cells WHERE id = {village}"),
        other_village=other_village,
        branch=branch,
        other_branch=other_branch,
        group=await one(f"SELECT MIN(id) FROM cells WHERE parent_id = {branch}"),
        other_group=await one(f"SELECT MIN(id) FROM cells WHERE parent_id = {other_branch}"),
        village_need=await one(
            "SELECT MIN(id) FROM needs WHERE cell_id IN "
            f"(SELECT id FROM cells WHERE parent_id = {branch})"
        ),
        other_branch_need=await one(
            "SELECT MIN(id) FROM needs WHERE cell_id IN (SELECT id FROM cells "
            f"WHERE parent_id = {other_branch} OR id = {other_branch})"
        ),
        open_need=await one(
            "SELECT MIN(id) FROM needs WHERE status = 'OPEN' AND id NOT IN "
            "(SELECT need_id FROM deeds)"
        ),
        matched_need=await one(f"SELECT need_id FROM deeds WHERE id = {deed}"),
        deed=deed,
        deed_lead=deed_lead,
        deed_member=await one(
            f"SELECT MIN(person_id) FROM deed_members WHERE deed_id = {deed} AND role = 'TEAM' "
            f"AND person_id <> {deed_lead}"
        ),
        free_person=await one(
            f"SELECT MIN(id) FROM people WHERE id NOT IN ({busy}) AND party_member = false"
        ),
        household=household,
        household_code=await one(f"SELECT code FROM households WHERE id = {household}"),
        other_household=await one(f"SELECT MAX(id) FROM households WHERE id <> {household}"),
        organisation=await one("SELECT MIN(id) FROM organisations"),
        resource=await one("SELECT MIN(id) FROM resources"),
    )


Variables = Callable[[Demo], dict[str, Any]]


def input_of(base: Callable[[Demo], dict[str, Any]], **changes: Any) -> Variables:
    """A create mutation's variables: ``{"input": base(demo)}`` with ``changes`` applied."""
    return lambda d: {"input": {**base(d), **changes}}


def small_need(d: Demo, **changes: Any) -> dict[str, Any]:
    """The variables of a createNeed with only the required fields (a need heard at a household
    visit, filed at the demo's group), with ``changes`` applied to its input."""
    base = {
        "cell": gid("Cell", d.group),
        "title": "代购药品",
        "category": "DAILY_LIFE",
        "channel": "HOUSEHOLD_VISIT",
    }
    return {"input": {**base, **changes}}


def need_input(d: Demo, **changes: Any) -> dict[str, Any]:
    """A valid CreateNeedInput in the demo's first branch, with ``changes`` applied."""
    base = {
        "cell": gid("Cell", d.branch),
        "title": "  长者助餐点排队太长  ",
        "category": "DAILY_LIFE",
        "channel": "HOUSEHOLD_VISIT",
        "description": "中午十一点半到十二点排队超过半小时",
        "urgency": "HIGH",
        "volunteers": 3,
        "hours": 12,
        "skills": ["助餐", " 助餐 ", "组织协调"],
        "resourceRequests": [
            {"kind": "VENUE", "quantity": 1},
            {"kind": "VENUE", "quantity": 2},
            {"kind": "MATERIAL", "quantity": 5},
        ],
        "windowFrom": "2026-06-01",
        "windowTo": "2026-06-30",
        "household": gid("Household", d.household),
    }
    base.update(changes)
    return base


def visit_input(d: Demo, **changes: Any) -> dict[str, Any]:
    """A RecordContactVisitInput: the demo's free person visits its household, with ``changes``."""
    return {
        "household": gid("Household", d.household),
        "person": gid("Person", d.free_person),
        **changes,
    }


async def refused(
    client: httpx.AsyncClient,
    url: str,
    mutation: str,
    variables: dict[str, Any],
    expected: Expected,
) -> None:
    """Run a mutation that must be refused with exactly `expected` and change no row."""
    before = await snapshot(url)
    payload = await run(client, mutation, variables)
    assert codes(payload) == expected, payload
    assert all(e["message"] for e in payload["errors"])
    (key,) = [k for k in payload if k != "errors"]
    assert payload[key] is None
    after = await snapshot(url)
    assert after == before, f"a refused mutation changed the database: {mutation} {variables}"


@dataclass(frozen=True)
class Refusal:
    """A mutation the API must refuse with exactly ``expected``; its variables come from the
    demo's ids, which are known only once the database is loaded."""

    id: str
    mutation: str
    variables: Variables
    expected: Expected

    async def check(self, d: Demo, token: str | None = STAFF_TOKEN, **settings: Any) -> None:
        """Send it as ``token`` (staff of the whole grid unless told) and expect the refusal."""
        async with api_client(d.url, token=token, **settings) as client:
            await refused(client, d.url, self.mutation, self.variables(d), self.expected)


def params(cases: list[Refusal]) -> list[Any]:
    """The cases as pytest params named by their ids (a failure names its case)."""
    return [pytest.param(case, id=case.id) for case in cases]
