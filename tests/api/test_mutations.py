"""Every mutation: success lands in the database; every refusal is typed and writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest

from tests.api.helpers import Snapshot, data_of, execute, gid, pk_of, scalar, snapshot, sql
from tests.conftest import STAFF_TOKEN, api_client, gql

ERRORS = "errors { code field message }"

CREATE_NEED = f"""
mutation($input: CreateNeedInput!) {{
  createNeed(input: $input) {{
    need {{ id title description category channel urgency scale volunteers hours skills
           windowFrom windowTo status resourceRequests {{ kind quantity }} cell {{ id }} }}
    {ERRORS}
  }}
}}
"""
UPDATE_NEED = f"""
mutation($id: ID!, $input: UpdateNeedInput!) {{
  updateNeed(id: $id, input: $input) {{
    need {{ id title urgency windowFrom windowTo cell {{ id }} }}
  {ERRORS} }}
}}
"""
CLOSE_NEED = f"""
mutation($id: ID!, $reason: String!) {{
  closeNeed(id: $id, reason: $reason) {{ need {{ id status closeReason closedAt }} {ERRORS} }}
}}
"""
CREATE_RESOURCE = f"""
mutation($input: CreateResourceInput!) {{
  createResource(input: $input) {{
    resource {{ id title kind capacity categories unit status cell {{ id }}
               providerOrganisation {{ id }} }}
    {ERRORS}
  }}
}}
"""
UPDATE_RESOURCE = f"""
mutation($id: ID!, $input: UpdateResourceInput!) {{
  updateResource(id: $id, input: $input) {{ resource {{ id title capacity }} {ERRORS} }}
}}
"""
CLOSE_RESOURCE = f"""
mutation($id: ID!) {{ closeResource(id: $id) {{ resource {{ id status closedAt }} {ERRORS} }} }}
"""
CREATE_PERSON = f"""
mutation($input: CreatePersonInput!) {{
  createPerson(input: $input) {{
    person {{ id name kind role partyMember maxLead skills categories phone cell {{ id }} }}
    {ERRORS}
  }}
}}
"""
UPDATE_PERSON = f"""
mutation($id: ID!, $input: UpdatePersonInput!) {{
  updatePerson(id: $id, input: $input) {{ person {{ id name maxLead partyMember }} {ERRORS} }}
}}
"""
CLOSE_PERSON = f"""
mutation($id: ID!) {{ closePerson(id: $id) {{ person {{ id name }} {ERRORS} }} }}
"""
CREATE_HOUSEHOLD = f"""
mutation($input: CreateHouseholdInput!) {{
  createHousehold(input: $input) {{
    household {{ id code headName address size elderlyAlone cell {{ id }} contactPerson {{ id }} }}
    {ERRORS}
  }}
}}
"""
UPDATE_HOUSEHOLD = f"""
mutation($id: ID!, $input: UpdateHouseholdInput!) {{
  updateHousehold(id: $id, input: $input) {{ household {{ id code headName size }} {ERRORS} }}
}}
"""
CLOSE_HOUSEHOLD = f"""
mutation($id: ID!) {{ closeHousehold(id: $id) {{ household {{ id code }} {ERRORS} }} }}
"""
CREATE_ORGANISATION = f"""
mutation($input: CreateOrganisationInput!) {{
  createOrganisation(input: $input) {{
    organisation {{ id name kind active cell {{ id }} }} {ERRORS}
  }}
}}
"""
UPDATE_ORGANISATION = f"""
mutation($id: ID!, $input: UpdateOrganisationInput!) {{
  updateOrganisation(id: $id, input: $input) {{ organisation {{ id name contactName }} {ERRORS} }}
}}
"""
CLOSE_ORGANISATION = f"""
mutation($id: ID!) {{ closeOrganisation(id: $id) {{ organisation {{ id active }} {ERRORS} }} }}
"""
RECORD_VISIT = f"""
mutation($input: RecordContactVisitInput!) {{
  recordContactVisit(input: $input) {{ visit {{ id visitedOn topics notes person {{ id }} }}
  {ERRORS} }}
}}
"""


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


def codes(payload: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {(e["code"], e["field"]) for e in payload["errors"]}


@dataclass
class Demo:
    """Ids of the tiny demo, picked by what the rows are (never by a number seen in output)."""

    url: str
    town: int
    village: int
    other_village: int
    branch: int
    other_branch: int
    group: int
    open_need: int
    matched_need: int
    deed: int
    deed_lead: int
    free_person: int
    household: int
    household_code: str
    organisation: int
    resource: int


async def _demo(url: str) -> Demo:
    async def one(query: str) -> Any:
        return await scalar(url, query)

    village = await one("SELECT MIN(id) FROM cells WHERE level = 'VILLAGE'")
    other_village = await one("SELECT MAX(id) FROM cells WHERE level = 'VILLAGE'")
    assert village != other_village
    branch = await one(f"SELECT MIN(id) FROM cells WHERE parent_id = {village}")
    other_branch = await one(f"SELECT MIN(id) FROM cells WHERE parent_id = {other_village}")
    deed = await one("SELECT MIN(id) FROM deeds WHERE status IN ('APPROVED', 'IN_PROGRESS')")
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
        other_village=other_village,
        branch=branch,
        other_branch=other_branch,
        group=await one(f"SELECT MIN(id) FROM cells WHERE parent_id = {branch}"),
        open_need=await one(
            "SELECT MIN(id) FROM needs WHERE status = 'OPEN' AND id NOT IN "
            "(SELECT need_id FROM deeds)"
        ),
        matched_need=await one(f"SELECT need_id FROM deeds WHERE id = {deed}"),
        deed=deed,
        deed_lead=deed_lead,
        free_person=await one(
            f"SELECT MIN(id) FROM people WHERE id NOT IN ({busy}) AND party_member = false"
        ),
        household=household,
        household_code=await one(f"SELECT code FROM households WHERE id = {household}"),
        organisation=await one("SELECT MIN(id) FROM organisations"),
        resource=await one("SELECT MIN(id) FROM resources"),
    )


@pytest.fixture
async def demo(demo_url: str) -> Demo:
    return await _demo(demo_url)


def _need_input(d: Demo, **changes: Any) -> dict[str, Any]:
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


# --- success paths ---------------------------------------------------------------------------


async def test_need_create_update_close(demo: Demo) -> None:
    d = demo
    before = await scalar(d.url, "SELECT COUNT(*) FROM needs")
    async with api_client(d.url, token=STAFF_TOKEN) as client:
        need = ok(await run(client, CREATE_NEED, {"input": _need_input(d)}), "need")
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


async def test_resource_create_update_close(demo: Demo) -> None:
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


async def test_person_create_update_close(demo: Demo) -> None:
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


async def test_household_create_update_close(demo: Demo) -> None:
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


async def test_organisation_create_update_close(demo: Demo) -> None:
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


async def test_record_contact_visit(demo: Demo) -> None:
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
                    "input": {
                        "household": gid("Household", d.household),
                        "person": gid("Person", d.free_person),
                        "visitedOn": "2026-06-02",
                        "topics": ["惠民政策宣讲", "听取意见建议"],
                        "notes": "老人腿脚不便，希望有人代购药品。",
                    }
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


# --- refusals: typed errors, nothing written -------------------------------------------------


async def refused(
    client: httpx.AsyncClient,
    url: str,
    mutation: str,
    variables: dict[str, Any],
    expected: set[tuple[str, str | None]],
    before: Snapshot | None = None,
) -> Snapshot:
    """Run a mutation that must be refused with exactly `expected` and change no row.

    Returns the database's snapshot, to pass as `before` to the next refusal in a row."""
    if before is None:
        before = await snapshot(url)
    payload = await run(client, mutation, variables)
    assert codes(payload) == expected, payload
    assert all(e["message"] for e in payload["errors"])
    (key,) = [k for k in payload if k != "errors"]
    assert payload[key] is None
    after = await snapshot(url)
    assert after == before, f"a refused mutation changed the database: {mutation} {variables}"
    return after


async def test_need_refusals(demo: Demo) -> None:
    d = demo
    inp = _need_input
    cases: list[tuple[str, dict[str, Any], set[tuple[str, str | None]]]] = [
        (CREATE_NEED, {"input": inp(d, title="   ")}, {("REQUIRED", "title")}),
        (CREATE_NEED, {"input": inp(d, title="长" * 201)}, {("TOO_LONG", "title")}),
        (CREATE_NEED, {"input": inp(d, description="x" * 4001)}, {("TOO_LONG", "description")}),
        (CREATE_NEED, {"input": inp(d, volunteers=51)}, {("OUT_OF_RANGE", "volunteers")}),
        (CREATE_NEED, {"input": inp(d, hours=-1)}, {("OUT_OF_RANGE", "hours")}),
        (CREATE_NEED, {"input": inp(d, windowFrom="1999-12-31")}, {("OUT_OF_RANGE", "windowFrom")}),
        (
            CREATE_NEED,
            {"input": inp(d, resourceRequests=[{"kind": "VENUE", "quantity": 0}])},
            {("OUT_OF_RANGE", "resourceRequests")},
        ),
        (
            CREATE_NEED,
            {"input": inp(d, skills=[f"s{i}" for i in range(21)])},
            {("OUT_OF_RANGE", "skills")},
        ),
        (CREATE_NEED, {"input": inp(d, skills=["长" * 41])}, {("TOO_LONG", "skills")}),
        (
            CREATE_NEED,
            {"input": inp(d, windowFrom="2026-07-01", windowTo="2026-06-01")},
            {("INVALID", "windowTo")},
        ),
        (CREATE_NEED, {"input": inp(d, cell="garbage")}, {("INVALID_ID", "cell")}),
        (
            CREATE_NEED,
            {"input": inp(d, cell=gid("Person", d.free_person))},
            {("INVALID_ID", "cell")},
        ),
        (CREATE_NEED, {"input": inp(d, cell=gid("Cell", 987654))}, {("NOT_FOUND", "cell")}),
        (CREATE_NEED, {"input": inp(d, cell=gid("Cell", d.town))}, {("WRONG_LEVEL", "cell")}),
        (
            CREATE_NEED,
            {"input": inp(d, household=gid("Household", 987654))},
            {("NOT_FOUND", "household")},
        ),
        (CREATE_NEED, {"input": inp(d, reportedBy="%%%")}, {("INVALID_ID", "reportedBy")}),
        # Several problems at once are all reported.
        (
            CREATE_NEED,
            {
                "input": inp(
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
        (
            UPDATE_NEED,
            {"id": gid("Need", d.open_need), "input": {"title": None}},
            {("REQUIRED", "title")},
        ),
        (
            UPDATE_NEED,
            {"id": gid("Need", d.open_need), "input": {"title": "  "}},
            {("REQUIRED", "title")},
        ),
        (
            UPDATE_NEED,
            {"id": gid("Need", d.open_need), "input": {"category": None}},
            {("REQUIRED", "category")},
        ),
        (
            UPDATE_NEED,
            {"id": gid("Need", d.open_need), "input": {"cell": None}},
            {("REQUIRED", "cell")},
        ),
        # A null for a field that always has a value is refused, not a database error.
        (
            UPDATE_NEED,
            {"id": gid("Need", d.open_need), "input": {"urgency": None}},
            {("REQUIRED", "urgency")},
        ),
        (
            UPDATE_NEED,
            {"id": gid("Need", d.open_need), "input": {"volunteers": None}},
            {("REQUIRED", "volunteers")},
        ),
        (
            UPDATE_NEED,
            {
                "id": gid("Need", d.open_need),
                "input": {"windowFrom": "2026-07-01", "windowTo": "2026-06-01"},
            },
            {("INVALID", "windowTo")},
        ),
        (UPDATE_NEED, {"id": "garbage", "input": {"title": "x"}}, {("INVALID_ID", "id")}),
        (
            UPDATE_NEED,
            {"id": gid("Resource", d.resource), "input": {"title": "x"}},
            {("INVALID_ID", "id")},
        ),
        (UPDATE_NEED, {"id": gid("Need", 987654), "input": {"title": "x"}}, {("NOT_FOUND", "id")}),
        (
            UPDATE_NEED,
            {"id": gid("Need", d.open_need), "input": {"cell": gid("Cell", d.town)}},
            {("WRONG_LEVEL", "cell")},
        ),
        (CLOSE_NEED, {"id": gid("Need", d.open_need), "reason": "   "}, {("REQUIRED", "reason")}),
        (CLOSE_NEED, {"id": gid("Need", d.matched_need), "reason": "不做了"}, {("CONFLICT", "id")}),
        (CLOSE_NEED, {"id": gid("Need", 987654), "reason": "不做了"}, {("NOT_FOUND", "id")}),
        (CLOSE_NEED, {"id": "garbage", "reason": "不做了"}, {("INVALID_ID", "id")}),
    ]
    async with api_client(d.url, token=STAFF_TOKEN) as client:
        state = await snapshot(d.url)
        for mutation, variables, expected in cases:
            state = await refused(client, d.url, mutation, variables, expected, state)
        # Closed needs: closing or editing again is refused.
        ok(
            await run(client, CLOSE_NEED, {"id": gid("Need", d.open_need), "reason": "重复"}),
            "need",
        )
        await refused(
            client,
            d.url,
            CLOSE_NEED,
            {"id": gid("Need", d.open_need), "reason": "重复"},
            {("ALREADY_CLOSED", "id")},
        )
        await refused(
            client,
            d.url,
            UPDATE_NEED,
            {"id": gid("Need", d.open_need), "input": {"title": "x"}},
            {("ALREADY_CLOSED", "id")},
        )


async def test_resource_refusals(demo: Demo) -> None:
    d = demo
    # Commit 3 units of the resource to an active deed (no mutation does this yet).
    await execute(
        d.url,
        "INSERT INTO deed_resources (deed_id, resource_id, quantity) "
        f"VALUES ({d.deed}, {d.resource}, 3)",
        f"UPDATE resources SET capacity = 5 WHERE id = {d.resource}",
    )

    def inp(**changes: Any) -> dict[str, Any]:
        base = {"cell": gid("Cell", d.branch), "title": "雨衣", "kind": "MATERIAL", "capacity": 10}
        return {"input": {**base, **changes}}

    rid = gid("Resource", d.resource)
    cases: list[tuple[str, dict[str, Any], set[tuple[str, str | None]]]] = [
        (CREATE_RESOURCE, inp(capacity=-1), {("OUT_OF_RANGE", "capacity")}),
        (CREATE_RESOURCE, inp(title=""), {("REQUIRED", "title")}),
        (CREATE_RESOURCE, inp(unit="单位" * 16), {("TOO_LONG", "unit")}),
        (
            CREATE_RESOURCE,
            inp(availableFrom="2026-09-01", availableTo="2026-08-01"),
            {("INVALID", "availableTo")},
        ),
        (
            CREATE_RESOURCE,
            inp(providerPerson=gid("Person", 987654)),
            {("NOT_FOUND", "providerPerson")},
        ),
        (CREATE_RESOURCE, inp(providerOrganisation="x"), {("INVALID_ID", "providerOrganisation")}),
        (UPDATE_RESOURCE, {"id": rid, "input": {"capacity": 2}}, {("CONFLICT", "capacity")}),
        (UPDATE_RESOURCE, {"id": rid, "input": {"capacity": None}}, {("REQUIRED", "capacity")}),
        (CLOSE_RESOURCE, {"id": rid}, {("CONFLICT", "id")}),
        (CLOSE_RESOURCE, {"id": gid("Resource", 987654)}, {("NOT_FOUND", "id")}),
    ]
    async with api_client(d.url, token=STAFF_TOKEN) as client:
        state = await snapshot(d.url)
        for mutation, variables, expected in cases:
            state = await refused(client, d.url, mutation, variables, expected, state)
        # Capacity down to exactly the committed units is fine.
        assert (
            ok(
                await run(client, UPDATE_RESOURCE, {"id": rid, "input": {"capacity": 3}}),
                "resource",
            )["capacity"]
            == 3
        )
        # Once the deed is done the units are free again and the resource can be withdrawn.
        await execute(d.url, f"UPDATE deeds SET status = 'DONE' WHERE id = {d.deed}")
        ok(await run(client, CLOSE_RESOURCE, {"id": rid}), "resource")


async def test_person_refusals(demo: Demo) -> None:
    d = demo

    def inp(**changes: Any) -> dict[str, Any]:
        base = {"cell": gid("Cell", d.group), "name": "李四", "kind": "VOLUNTEER"}
        return {"input": {**base, **changes}}

    cases: list[tuple[str, dict[str, Any], set[tuple[str, str | None]]]] = [
        (CREATE_PERSON, inp(maxLead=1), {("INVALID", "maxLead")}),
        (
            CREATE_PERSON,
            inp(maxLead=1, partyMember=False, kind="PARTY_MEMBER"),
            {("INVALID", "maxLead")},
        ),
        (CREATE_PERSON, inp(name="名" * 61), {("TOO_LONG", "name")}),
        (CREATE_PERSON, inp(name=" "), {("REQUIRED", "name")}),
        (CREATE_PERSON, inp(hours=2001), {("OUT_OF_RANGE", "hours")}),
        (CREATE_PERSON, inp(maxDeeds=-1), {("OUT_OF_RANGE", "maxDeeds")}),
        (CREATE_PERSON, inp(cell=gid("Cell", d.town)), {("WRONG_LEVEL", "cell")}),
        (
            CREATE_PERSON,
            inp(organisation=gid("Organisation", 987654)),
            {("NOT_FOUND", "organisation")},
        ),
        (
            CREATE_PERSON,
            inp(availableFrom="2026-09-01", availableTo="2026-01-01"),
            {("INVALID", "availableTo")},
        ),
        (
            CREATE_PERSON,
            inp(name="", hours=-5, maxLead=1, cell="bad"),
            {
                ("REQUIRED", "name"),
                ("OUT_OF_RANGE", "hours"),
                ("INVALID", "maxLead"),
                ("INVALID_ID", "cell"),
            },
        ),
        (
            UPDATE_PERSON,
            {"id": gid("Person", d.free_person), "input": {"maxLead": 2}},
            {("INVALID", "maxLead")},
        ),
        (
            UPDATE_PERSON,
            {"id": gid("Person", d.free_person), "input": {"role": None}},
            {("REQUIRED", "role")},
        ),
        (
            UPDATE_PERSON,
            {"id": gid("Person", d.free_person), "input": {"partyMember": None}},
            {("REQUIRED", "partyMember")},
        ),
        (CLOSE_PERSON, {"id": gid("Person", d.deed_lead)}, {("CONFLICT", "id")}),
        (CLOSE_PERSON, {"id": gid("Cell", d.group)}, {("INVALID_ID", "id")}),
    ]
    team_member = await scalar(
        d.url,
        f"SELECT MIN(person_id) FROM deed_members WHERE deed_id = {d.deed} AND role = 'TEAM' "
        f"AND person_id <> {d.deed_lead}",
    )
    if team_member is not None:
        cases.append((CLOSE_PERSON, {"id": gid("Person", team_member)}, {("CONFLICT", "id")}))
    async with api_client(d.url, token=STAFF_TOKEN) as client:
        state = await snapshot(d.url)
        for mutation, variables, expected in cases:
            state = await refused(client, d.url, mutation, variables, expected, state)


async def test_household_organisation_visit_refusals(demo: Demo) -> None:
    d = demo

    def hh(**changes: Any) -> dict[str, Any]:
        base = {
            "cell": gid("Cell", d.group),
            "code": "NEW-H-1",
            "headName": "黄姨",
            "address": "某街1号",
        }
        return {"input": {**base, **changes}}

    def visit(**changes: Any) -> dict[str, Any]:
        base = {"household": gid("Household", d.household), "person": gid("Person", d.free_person)}
        return {"input": {**base, **changes}}

    cases: list[tuple[str, dict[str, Any], set[tuple[str, str | None]]]] = [
        (CREATE_HOUSEHOLD, hh(code=d.household_code), {("DUPLICATE", "code")}),
        (CREATE_HOUSEHOLD, hh(cell=gid("Cell", d.village)), {("WRONG_LEVEL", "cell")}),
        (CREATE_HOUSEHOLD, hh(size=0), {("OUT_OF_RANGE", "size")}),
        (CREATE_HOUSEHOLD, hh(address=""), {("REQUIRED", "address")}),
        (CREATE_HOUSEHOLD, hh(code="C" * 65), {("TOO_LONG", "code")}),
        (
            CREATE_HOUSEHOLD,
            hh(contactPerson=gid("Household", d.household)),
            {("INVALID_ID", "contactPerson")},
        ),
        (
            UPDATE_HOUSEHOLD,
            {"id": gid("Household", d.household), "input": {"elderlyAlone": None}},
            {("REQUIRED", "elderlyAlone")},
        ),
        (
            CREATE_ORGANISATION,
            {"input": {"cell": gid("Cell", d.town), "name": "", "kind": "UNIT"}},
            {("REQUIRED", "name")},
        ),
        (
            CREATE_ORGANISATION,
            {"input": {"cell": gid("Cell", 987654), "name": "n" * 201, "kind": "UNIT"}},
            {("TOO_LONG", "name"), ("NOT_FOUND", "cell")},
        ),
        (
            UPDATE_ORGANISATION,
            {"id": gid("Organisation", d.organisation), "input": {"contactPhone": "1" * 41}},
            {("TOO_LONG", "contactPhone")},
        ),
        (
            UPDATE_ORGANISATION,
            {"id": gid("Organisation", 987654), "input": {"name": "x"}},
            {("NOT_FOUND", "id")},
        ),
        (CLOSE_HOUSEHOLD, {"id": gid("Household", 987654)}, {("NOT_FOUND", "id")}),
        (CLOSE_ORGANISATION, {"id": "nope"}, {("INVALID_ID", "id")}),
        (RECORD_VISIT, visit(household="garbage"), {("INVALID_ID", "household")}),
        (RECORD_VISIT, visit(person=gid("Person", 987654)), {("NOT_FOUND", "person")}),
        (RECORD_VISIT, visit(topics=[f"t{i}" for i in range(11)]), {("OUT_OF_RANGE", "topics")}),
        (RECORD_VISIT, visit(notes="n" * 4001), {("TOO_LONG", "notes")}),
        (RECORD_VISIT, visit(visitedOn="2101-01-01"), {("OUT_OF_RANGE", "visitedOn")}),
    ]
    async with api_client(d.url, token=STAFF_TOKEN) as client:
        state = await snapshot(d.url)
        for mutation, variables, expected in cases:
            state = await refused(client, d.url, mutation, variables, expected, state)
        # Renaming a household to another's code is a duplicate too.
        other = await scalar(d.url, f"SELECT MAX(id) FROM households WHERE id <> {d.household}")
        await refused(
            client,
            d.url,
            UPDATE_HOUSEHOLD,
            {"id": gid("Household", other), "input": {"code": d.household_code}},
            {("DUPLICATE", "code")},
        )


async def test_forbidden_without_staff_token_or_outside_scope(demo: Demo) -> None:
    d = demo
    village_code = await scalar(d.url, f"SELECT code FROM cells WHERE id = {d.village}")
    token = "village-token-123456"
    mine = await scalar(
        d.url,
        "SELECT MIN(id) FROM needs WHERE cell_id IN "
        f"(SELECT id FROM cells WHERE parent_id = {d.branch})",
    )
    theirs = await scalar(
        d.url,
        "SELECT MIN(id) FROM needs WHERE cell_id IN (SELECT id FROM cells "
        f"WHERE parent_id = {d.other_branch} OR id = {d.other_branch})",
    )
    assert mine and theirs
    all_mutations: list[tuple[str, dict[str, Any]]] = [
        (CREATE_NEED, {"input": _need_input(d)}),
        (UPDATE_NEED, {"id": gid("Need", d.open_need), "input": {"title": "x"}}),
        (CLOSE_NEED, {"id": gid("Need", d.open_need), "reason": "x"}),
        (
            CREATE_RESOURCE,
            {
                "input": {
                    "cell": gid("Cell", d.branch),
                    "title": "t",
                    "kind": "OTHER",
                    "capacity": 1,
                }
            },
        ),
        (UPDATE_RESOURCE, {"id": gid("Resource", d.resource), "input": {"title": "x"}}),
        (CLOSE_RESOURCE, {"id": gid("Resource", d.resource)}),
        (
            CREATE_PERSON,
            {"input": {"cell": gid("Cell", d.group), "name": "n", "kind": "VOLUNTEER"}},
        ),
        (UPDATE_PERSON, {"id": gid("Person", d.free_person), "input": {"name": "x"}}),
        (CLOSE_PERSON, {"id": gid("Person", d.free_person)}),
        (
            CREATE_HOUSEHOLD,
            {
                "input": {
                    "cell": gid("Cell", d.group),
                    "code": "Z1",
                    "headName": "h",
                    "address": "a",
                }
            },
        ),
        (UPDATE_HOUSEHOLD, {"id": gid("Household", d.household), "input": {"size": 2}}),
        (CLOSE_HOUSEHOLD, {"id": gid("Household", d.household)}),
        (
            CREATE_ORGANISATION,
            {"input": {"cell": gid("Cell", d.town), "name": "n", "kind": "UNIT"}},
        ),
        (UPDATE_ORGANISATION, {"id": gid("Organisation", d.organisation), "input": {"name": "x"}}),
        (CLOSE_ORGANISATION, {"id": gid("Organisation", d.organisation)}),
        (
            RECORD_VISIT,
            {
                "input": {
                    "household": gid("Household", d.household),
                    "person": gid("Person", d.free_person),
                }
            },
        ),
    ]
    state = await snapshot(d.url)
    async with api_client(d.url) as client:
        for mutation, variables in all_mutations:
            state = await refused(client, d.url, mutation, variables, {("FORBIDDEN", None)}, state)
    # An unknown token is not the public: it is refused before anything runs.
    async with api_client(d.url, token="unknown-token-abcdef") as client:
        for mutation, variables in all_mutations:
            response = await client.post(
                "/graphql", json={"query": mutation, "variables": variables}
            )
            assert response.status_code == 401, response.text
    assert await snapshot(d.url) == state

    other_group = await scalar(
        d.url, f"SELECT MIN(id) FROM cells WHERE parent_id = {d.other_branch}"
    )
    async with api_client(d.url, token=token, staff_tokens={token: village_code}) as client:
        # Inside the village: allowed.
        ok(await run(client, CREATE_NEED, {"input": _need_input(d)}), "need")
        ok(
            await run(
                client, UPDATE_NEED, {"id": gid("Need", mine), "input": {"title": "本村的事"}}
            ),
            "need",
        )
        # Outside it: refused, and nothing written.
        outside: list[tuple[str, dict[str, Any], set[tuple[str, str | None]]]] = [
            (
                CREATE_NEED,
                {"input": _need_input(d, cell=gid("Cell", d.other_branch), household=None)},
                {("FORBIDDEN", "cell")},
            ),
            (
                UPDATE_NEED,
                {"id": gid("Need", theirs), "input": {"title": "x"}},
                {("FORBIDDEN", "id")},
            ),
            (CLOSE_NEED, {"id": gid("Need", theirs), "reason": "x"}, {("FORBIDDEN", "id")}),
            # Moving one's own need out of one's subtree is refused as well.
            (
                UPDATE_NEED,
                {"id": gid("Need", mine), "input": {"cell": gid("Cell", d.other_branch)}},
                {("FORBIDDEN", "cell")},
            ),
            (
                CREATE_PERSON,
                {"input": {"cell": gid("Cell", other_group), "name": "n", "kind": "VOLUNTEER"}},
                {("FORBIDDEN", "cell")},
            ),
            (
                CREATE_ORGANISATION,
                {"input": {"cell": gid("Cell", d.town), "name": "n", "kind": "UNIT"}},
                {("FORBIDDEN", "cell")},
            ),
            (
                CREATE_HOUSEHOLD,
                {
                    "input": {
                        "cell": gid("Cell", other_group),
                        "code": "Z2",
                        "headName": "h",
                        "address": "a",
                    }
                },
                {("FORBIDDEN", "cell")},
            ),
        ]
        state = await snapshot(d.url)
        for mutation, variables, expected in outside:
            state = await refused(client, d.url, mutation, variables, expected, state)


async def test_graphql_type_errors_are_graphql_errors(demo: Demo) -> None:
    d = demo
    before = await snapshot(d.url)
    async with api_client(d.url, token=STAFF_TOKEN) as client:
        for variables in (
            {"input": _need_input(d, volunteers="many")},
            {"input": _need_input(d, category="NOT_A_CATEGORY")},
            {"input": _need_input(d, windowFrom="next tuesday")},
            {"input": {"title": "missing required fields"}},
        ):
            response = await client.post(
                "/graphql", json={"query": CREATE_NEED, "variables": variables}
            )
            assert response.status_code in (200, 400), response.text
            body = response.json()
            assert body.get("data") is None, body
            assert body["errors"] and all(e["message"] for e in body["errors"])
            assert "Traceback" not in response.text and 'File "' not in response.text
    assert await snapshot(d.url) == before


async def test_null_for_a_defaulted_input_takes_the_default(demo: Demo) -> None:
    d = demo
    today = date.today().isoformat()
    async with api_client(d.url, token=STAFF_TOKEN) as client:
        visit = ok(
            await run(
                client,
                RECORD_VISIT,
                {
                    "input": {
                        "household": gid("Household", d.household),
                        "person": gid("Person", d.free_person),
                        "visitedOn": None,
                        "topics": None,
                    }
                },
            ),
            "visit",
        )
        assert visit["visitedOn"] == today and visit["topics"] == []
        need = ok(
            await run(client, CREATE_NEED, {"input": _need_input(d, reportedOn=None, skills=None)}),
            "need",
        )
        assert need["skills"] == []
        assert (
            str(
                await scalar(d.url, f"SELECT reported_on FROM needs WHERE id = {pk_of(need['id'])}")
            )
            == today
        )
