"""Personal data (residents' names, addresses, phones, flags, visits; members' phones) is shown
only to staff whose grid scope covers the record: nested, in lists and through node()."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.helpers import data_of, gid, pk_of, sql
from tests.conftest import NO_COST_LIMIT, STAFF_TOKEN, api_client, gql

VILLAGE_TOKEN = "village-token-123456"

HOUSEHOLD = """__typename id code headName address phone elderlyAlone disability lowIncome
               visits { id notes topics }"""
PERSON = "__typename id name phone"
NEED = f"__typename id title household {{ {HOUSEHOLD} }}"
CELL = f"households {{ {HOUSEHOLD} }} people {{ {PERSON} }} needs {{ {NEED} }}"

NESTED = f"""
query($code: String!) {{
  cell(code: $code) {{
    {CELL}
    children {{ {CELL} children {{ {CELL} children {{ {CELL} }} }} }}
  }}
}}
"""

LISTS = f"""
{{
  people(first: 100) {{ nodes {{ {PERSON} }} }}
  needs(first: 100) {{ nodes {{ {NEED} }} }}
  resources(first: 100) {{ nodes {{ __typename id providerPerson {{ {PERSON} }} }} }}
  deeds(first: 100) {{ nodes {{ __typename id lead {{ {PERSON} }} team {{ {PERSON} }}
                               need {{ {NEED} }} }} }}
}}
"""

NODE = f"""
query($id: ID!) {{
  node(id: $id) {{
    ... on Household {{ {HOUSEHOLD} contactPerson {{ {PERSON} }} }}
    ... on Person {{ {PERSON} }}
    ... on Need {{ {NEED} }}
  }}
}}
"""

HOUSEHOLD_FIELDS = {
    "headName": "head_name",
    "address": "address",
    "phone": "phone",
    "elderlyAlone": "elderly_alone",
    "disability": "disability",
    "lowIncome": "low_income",
}


def objects(value: Any) -> Iterator[dict[str, Any]]:
    """Every object with a __typename anywhere in a response."""
    if isinstance(value, dict):
        if "__typename" in value:
            yield value
        for v in value.values():
            yield from objects(v)
    elif isinstance(value, list):
        for v in value:
            yield from objects(v)


class World:
    """The demo's personal data and where each record lives, read from the database."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def load(self) -> World:
        url = self.url
        cells = await sql(url, "SELECT id, code, parent_id, level FROM cells")
        self.parent = {c["id"]: c["parent_id"] for c in cells}
        self.code = {c["id"]: c["code"] for c in cells}
        self.villages = sorted(c["id"] for c in cells if c["level"] == "VILLAGE")
        self.town = next(c["code"] for c in cells if c["level"] == "TOWN")
        self.households = {r["id"]: r for r in await sql(url, "SELECT * FROM households")}
        self.people = {r["id"]: r for r in await sql(url, "SELECT * FROM people")}
        self.needs = {r["id"]: r for r in await sql(url, "SELECT * FROM needs")}
        visits = await sql(url, "SELECT id, household_id FROM contact_visits")
        self.visits: dict[int, set[int]] = {}
        for v in visits:
            self.visits.setdefault(v["household_id"], set()).add(v["id"])
        return self

    def under(self, cell_id: int, top: int | None) -> bool:
        """Whether `cell_id` lies in the subtree of `top` (None: the whole grid)."""
        if top is None:
            return True
        current: int | None = cell_id
        while current is not None:
            if current == top:
                return True
            current = self.parent[current]
        return False


def check(world: World, body: dict[str, Any], scope: int | bool | None) -> Counter[str]:
    """Assert every personal field in the response: visible and right inside `scope` (a village
    id, None for the whole grid), null outside it or everywhere when `scope` is False."""
    seen: Counter[str] = Counter()
    for obj in objects(data_of(body)):
        kind = obj["__typename"]
        pk = pk_of(obj["id"])
        if kind == "Household":
            row = world.households[pk]
            visible = scope is not False and world.under(row["cell_id"], scope)  # type: ignore[arg-type]
            for api_name, column in HOUSEHOLD_FIELDS.items():
                expected = row[column]
                if isinstance(expected, int) and column != "phone":
                    expected = bool(expected)
                assert obj[api_name] == (expected if visible else None), (obj, api_name)
            if visible:
                assert {pk_of(v["id"]) for v in obj["visits"]} == world.visits.get(pk, set())
            else:
                assert obj["visits"] is None, obj
            seen[f"household:{'shown' if visible else 'hidden'}"] += 1
        elif kind == "Person" and "phone" in obj:
            row = world.people[pk]
            visible = scope is not False and world.under(row["cell_id"], scope)  # type: ignore[arg-type]
            assert obj["phone"] == (row["phone"] if visible else None), obj
            if row["phone"]:
                seen[f"phone:{'shown' if visible else 'hidden'}"] += 1
        elif kind == "Need" and "household" in obj:
            row = world.needs[pk]
            visible = scope is not False and world.under(row["cell_id"], scope)  # type: ignore[arg-type]
            if visible and row["household_id"] is not None:
                assert obj["household"] is not None
                assert pk_of(obj["household"]["id"]) == row["household_id"]
                seen["need-household:shown"] += 1
            elif not visible:
                assert obj["household"] is None, obj
                if row["household_id"] is not None:
                    seen["need-household:hidden"] += 1
    return seen


@pytest.fixture(params=[True, False], ids=["planned-reads", "strawberry"])
def planned(request: pytest.FixtureRequest) -> bool:
    """Both read paths: the compiled one and strawberry's resolvers must hide the same data."""
    return bool(request.param)


async def _everything(
    world: World, token: str | None, planned: bool, **settings: Any
) -> Counter[str]:
    """Query the nested grid, the lists and node() for a sample of each, with one token."""
    scope: int | bool | None
    staff = settings.get("staff_tokens", {STAFF_TOKEN: "*"})
    code = staff.get(token or "", None) if token else None
    if code is None:
        scope = False
    elif code == "*":
        scope = None
    else:
        scope = next(c for c, k in world.code.items() if k == code)
    seen: Counter[str] = Counter()
    limits = {**NO_COST_LIMIT, **settings}
    async with api_client(world.url, token=token, planned_reads=planned, **limits) as client:
        seen += check(world, await gql(client, NESTED, {"code": world.town}), scope)
        seen += check(world, await gql(client, LISTS), scope)
        # A sample spread over the grid (every 6th record): node() shares the row-to-object path.
        ids = [gid("Household", h) for h in sorted(world.households)[::6]]
        ids += [gid("Person", p) for p in sorted(world.people) if world.people[p]["phone"]][::6]
        ids += [gid("Need", n) for n in sorted(world.needs) if world.needs[n]["household_id"]][::3]
        for node_id in ids:
            body = await gql(client, NODE, {"id": node_id})
            seen += check(world, body, scope)
    return seen


async def _all_alike(url: str, token: str | None, planned: bool, *, shown: bool) -> World:
    """Every personal value `token` reads (households, phones, needs' households) is shown, or
    every one hidden; there are some of each kind."""
    world = await World(url).load()
    seen = await _everything(world, token, planned)
    want, other = ("shown", "hidden") if shown else ("hidden", "shown")
    assert seen[f"household:{want}"] > 0 and seen[f"phone:{want}"] > 0
    assert seen[f"need-household:{want}"] > 0
    assert not any(k.endswith(f":{other}") for k in seen), seen
    return world


async def test_public_sees_no_personal_data(read_only_demo_url: str, planned: bool) -> None:
    await _all_alike(read_only_demo_url, None, planned, shown=False)


async def test_no_token_is_public(read_only_demo_url: str, planned: bool) -> None:
    world = await World(read_only_demo_url).load()
    seen = await _everything(world, None, planned)
    assert seen["household:hidden"] > 0
    assert not any(k.endswith(":shown") for k in seen), seen


async def test_whole_grid_staff_see_everything(read_only_demo_url: str, planned: bool) -> None:
    world = await _all_alike(read_only_demo_url, STAFF_TOKEN, planned, shown=True)
    # The flags and visits really come through (not all false / empty by accident).
    assert any(h["elderly_alone"] or h["low_income"] for h in world.households.values())
    assert world.visits


async def test_village_staff_see_their_village_only(read_only_demo_url: str, planned: bool) -> None:
    world = await World(read_only_demo_url).load()
    assert len(world.villages) >= 2
    for village in world.villages:
        staff = {VILLAGE_TOKEN: world.code[village]}
        seen = await _everything(world, VILLAGE_TOKEN, planned, staff_tokens=staff)
        assert seen["household:shown"] > 0 and seen["household:hidden"] > 0, seen
        assert seen["phone:shown"] > 0 and seen["phone:hidden"] > 0, seen


async def test_village_staff_cannot_change_another_village(demo_url: str) -> None:
    world = await World(demo_url).load()
    mine, theirs = world.villages[0], world.villages[-1]
    staff = {VILLAGE_TOKEN: world.code[mine]}
    their_household = next(
        h for h, row in world.households.items() if world.under(row["cell_id"], theirs)
    )
    my_household = next(
        h for h, row in world.households.items() if world.under(row["cell_id"], mine)
    )
    mutation = """
    mutation($id: ID!) {
      updateHousehold(id: $id, input: {phone: "13900000000"}) {
        household { id phone } errors { code field }
      }
    }"""
    async with api_client(demo_url, token=VILLAGE_TOKEN, staff_tokens=staff) as client:
        refused = data_of(await gql(client, mutation, {"id": gid("Household", their_household)}))
        assert refused["updateHousehold"] == {
            "household": None,
            "errors": [{"code": "FORBIDDEN", "field": "id"}],
        }
        done = data_of(await gql(client, mutation, {"id": gid("Household", my_household)}))
        assert done["updateHousehold"]["errors"] == []
        assert done["updateHousehold"]["household"]["phone"] == "13900000000"
    phones = await sql(
        demo_url,
        "SELECT id, phone FROM households WHERE id IN (:a, :b)",
        {"a": their_household, "b": my_household},
    )
    by_id = {r["id"]: r["phone"] for r in phones}
    assert by_id[my_household] == "13900000000"
    assert by_id[their_household] == world.households[their_household]["phone"]
