"""The list connections: filters, Relay pagination walked to the end, totals, argument errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.api.helpers import data_of, execute, gid, only_error, pk_of, sql, walk
from tests.conftest import STAFF_TOKEN, api_client, gql

PAGE = "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"


def _json_list(value: Any) -> list[Any]:
    return json.loads(value) if isinstance(value, str) else list(value)


async def _subtree(url: str, cell_id: int) -> set[int]:
    cells = await sql(url, "SELECT id, parent_id FROM cells")
    out, todo = set(), [cell_id]
    while todo:
        cid = todo.pop()
        out.add(cid)
        todo += [c["id"] for c in cells if c["parent_id"] == cid]
    return out


async def _a_village(url: str) -> int:
    rows = await sql(url, "SELECT id FROM cells WHERE level = 'VILLAGE' ORDER BY id")
    return int(rows[-1]["id"])


async def _check_walk(
    client: Any,
    query: str,
    field: str,
    variables: dict[str, Any],
    expected: list[int],
    first: int = 3,
) -> None:
    nodes, infos, total = await walk(client, query, variables, field, first)
    ids = [pk_of(n["id"]) for n in nodes]
    assert ids == sorted(expected), variables  # every match, once, in id order
    assert total == len(expected), variables
    # hasNextPage is exact: no trailing empty page, even when the count divides by `first`.
    assert len(infos) == max(1, -(-len(expected) // first)), variables


NEEDS = f"""
query($filter: NeedFilter, $first: Int, $after: String) {{
  needs(filter: $filter, first: $first, after: $after) {{
    {PAGE} edges {{ cursor node {{ id title category status urgency }} }}
  }}
}}
"""


async def test_needs_filters_and_pages(read_only_demo_url: str) -> None:
    url = read_only_demo_url
    needs = await sql(
        url, "SELECT id, cell_id, title, description, category, status, urgency FROM needs"
    )
    village = await _a_village(url)
    below = await _subtree(url, village)
    some = needs[len(needs) // 2]
    word = some["title"][:2]  # Chinese text
    cases: list[tuple[dict[str, Any], Callable[[dict[str, Any]], bool]]] = [
        ({}, lambda n: True),
        ({"under": gid("Cell", village)}, lambda n: n["cell_id"] in below),
        ({"category": [some["category"]]}, lambda n: n["category"] == some["category"]),
        (
            {"category": ["SAFETY", "ENVIRONMENT", "DAILY_LIFE"]},
            lambda n: n["category"] in ("SAFETY", "ENVIRONMENT", "DAILY_LIFE"),
        ),
        ({"status": ["MATCHED"]}, lambda n: n["status"] == "MATCHED"),
        ({"status": ["OPEN"]}, lambda n: n["status"] == "OPEN"),
        ({"urgency": ["HIGH", "CRITICAL"]}, lambda n: n["urgency"] in ("HIGH", "CRITICAL")),
        (
            {"search": word},
            lambda n: word in n["title"] or word in (n["description"] or ""),
        ),
        (
            {"under": gid("Cell", village), "status": ["OPEN"], "search": word},
            lambda n: (
                n["cell_id"] in below
                and n["status"] == "OPEN"
                and (word in n["title"] or word in (n["description"] or ""))
            ),
        ),
        ({"search": "%"}, lambda n: False),
        ({"search": "_"}, lambda n: False),
    ]
    async with api_client(url) as client:
        for flt, keep in cases:
            expected = [n["id"] for n in needs if keep(n)]
            if len(flt) == 1 and flt.get("search") not in ("%", "_"):
                # A single filter drawn from the data matches something (the case is not vacuous).
                assert len(expected) > 0 or flt.get("status") == ["MATCHED"], flt
            await _check_walk(client, NEEDS, "needs", {"filter": flt}, expected)
        # Nodes carry the filtered values.
        body = await gql(client, NEEDS, {"filter": {"status": ["OPEN"]}, "first": 100})
        assert {n["node"]["status"] for n in data_of(body)["needs"]["edges"]} == {"OPEN"}


RESOURCES = f"""
query($filter: ResourceFilter, $first: Int, $after: String) {{
  resources(filter: $filter, first: $first, after: $after) {{
    {PAGE} edges {{ cursor node {{ id title categories kind status }} }}
  }}
}}
"""


async def test_resources_category_filter_includes_resources_of_any_category(
    read_only_demo_url: str,
) -> None:
    url = read_only_demo_url
    rows = await sql(url, "SELECT id, cell_id, title, description, categories, kind FROM resources")
    for r in rows:
        r["categories"] = _json_list(r["categories"])
    assert any(not r["categories"] for r in rows), "the demo has resources serving any category"
    specific = [r for r in rows if r["categories"]]
    assert specific
    category = specific[0]["categories"][0]
    village = await _a_village(url)
    below = await _subtree(url, village)
    word = rows[1]["title"][:2]
    cases: list[tuple[dict[str, Any], Callable[[dict[str, Any]], bool]]] = [
        ({}, lambda r: True),
        ({"category": [category]}, lambda r: not r["categories"] or category in r["categories"]),
        (
            {"category": ["DISPUTE", "POLICY"]},
            lambda r: not r["categories"] or bool({"DISPUTE", "POLICY"} & set(r["categories"])),
        ),
        ({"kind": [rows[0]["kind"]]}, lambda r: r["kind"] == rows[0]["kind"]),
        ({"status": ["CLOSED"]}, lambda r: False),
        ({"under": gid("Cell", village)}, lambda r: r["cell_id"] in below),
        ({"search": word}, lambda r: word in r["title"] or word in (r["description"] or "")),
    ]
    async with api_client(url) as client:
        for flt, keep in cases:
            expected = [r["id"] for r in rows if keep(r)]
            await _check_walk(client, RESOURCES, "resources", {"filter": flt}, expected, first=2)
        body = await gql(client, RESOURCES, {"filter": {"category": [category]}, "first": 100})
        got = data_of(body)["resources"]["edges"]
        assert any(e["node"]["categories"] == [] for e in got)
        assert all(
            e["node"]["categories"] in ([],) or category in e["node"]["categories"] for e in got
        )


DEEDS = f"""
query($filter: DeedFilter, $first: Int, $after: String) {{
  deeds(filter: $filter, first: $first, after: $after) {{
    {PAGE} edges {{ cursor node {{ id title status published }} }}
  }}
}}
"""


async def test_deeds_filters(read_only_demo_url: str) -> None:
    url = read_only_demo_url
    rows = await sql(url, "SELECT id, cell_id, title, status, published FROM deeds")
    assert rows
    word = rows[0]["title"][:2]
    statuses = sorted({r["status"] for r in rows})
    village = await _a_village(url)
    below = await _subtree(url, village)
    cases: list[tuple[dict[str, Any], Callable[[dict[str, Any]], bool]]] = [
        ({}, lambda r: True),
        ({"status": statuses[:1]}, lambda r: r["status"] == statuses[0]),
        (
            {"status": ["COMPLETED", "CANCELLED"]},
            lambda r: r["status"] in ("COMPLETED", "CANCELLED"),
        ),
        ({"published": True}, lambda r: bool(r["published"])),
        ({"published": False}, lambda r: not r["published"]),
        ({"search": word}, lambda r: word in r["title"]),
        ({"under": gid("Cell", village)}, lambda r: r["cell_id"] in below),
    ]
    # Staff of the whole grid: the public reads published deeds only (test_unpublished_deeds).
    async with api_client(url, token=STAFF_TOKEN) as client:
        for flt, keep in cases:
            expected = [r["id"] for r in rows if keep(r)]
            await _check_walk(client, DEEDS, "deeds", {"filter": flt}, expected, first=1)


PEOPLE = f"""
query($under: ID, $search: String, $first: Int, $after: String) {{
  people(under: $under, search: $search, first: $first, after: $after) {{
    {PAGE} edges {{ cursor node {{ id name }} }}
  }}
}}
"""

ORGANISATIONS = f"""
query($under: ID, $kind: OrganisationKind, $first: Int, $after: String) {{
  organisations(under: $under, kind: $kind, first: $first, after: $after) {{
    {PAGE} edges {{ cursor node {{ id name kind }} }}
  }}
}}
"""


async def test_people_and_organisations(read_only_demo_url: str) -> None:
    url = read_only_demo_url
    people = await sql(url, "SELECT id, cell_id, name, active FROM people")
    orgs = await sql(url, "SELECT id, cell_id, name, kind FROM organisations")
    village = await _a_village(url)
    below = await _subtree(url, village)
    surname = people[3]["name"][:1]
    kind = orgs[-1]["kind"]
    async with api_client(url) as client:
        for args, keep in [
            ({}, lambda p: True),
            ({"under": gid("Cell", village)}, lambda p: p["cell_id"] in below),
            ({"search": surname}, lambda p: surname in p["name"]),
        ]:
            expected = [p["id"] for p in people if p["active"] and keep(p)]
            assert expected
            await _check_walk(client, PEOPLE, "people", args, expected, first=7)
        for args, keep in [
            ({}, lambda o: True),
            ({"kind": kind}, lambda o: o["kind"] == kind),
            ({"under": gid("Cell", village)}, lambda o: o["cell_id"] in below),
        ]:
            expected = [o["id"] for o in orgs if keep(o)]
            await _check_walk(client, ORGANISATIONS, "organisations", args, expected, first=4)


async def test_default_page_and_exact_multiple(read_only_demo_url: str) -> None:
    url = read_only_demo_url
    total = len(await sql(url, "SELECT id FROM organisations"))
    assert total > 20
    async with api_client(url) as client:
        body = await gql(client, f"{{ organisations {{ {PAGE} nodes {{ id }} }} }}")
        conn = data_of(body)["organisations"]
        assert len(conn["nodes"]) == 20  # the default page size
        assert conn["pageInfo"]["hasNextPage"] is True
        assert conn["pageInfo"]["hasPreviousPage"] is False
        # A page that ends exactly on the last row says there is no next page.
        body = await gql(client, ORGANISATIONS, {"first": total})
        conn = data_of(body)["organisations"]
        assert len(conn["edges"]) == total and conn["pageInfo"]["hasNextPage"] is False
        # After the last cursor: an empty page that keeps the caller's position.
        last = conn["pageInfo"]["endCursor"]
        body = await gql(client, ORGANISATIONS, {"first": 5, "after": last})
        conn = data_of(body)["organisations"]
        assert conn["edges"] == [] and conn["pageInfo"]["hasNextPage"] is False
        assert conn["pageInfo"]["startCursor"] == last
        assert conn["pageInfo"]["endCursor"] == last
        # first: 0 is an empty page, not an error; paging on from it starts at the beginning.
        body = await gql(client, ORGANISATIONS, {"first": 0})
        assert data_of(body)["organisations"]["edges"] == []
        assert data_of(body)["organisations"]["pageInfo"]["endCursor"] is None


LISTS = {
    "needs": "needs(filter: {under: $under}, first: $first, after: $after)",
    "resources": "resources(filter: {under: $under}, first: $first, after: $after)",
    "deeds": "deeds(filter: {under: $under}, first: $first, after: $after)",
    "people": "people(under: $under, first: $first, after: $after)",
    "organisations": "organisations(under: $under, first: $first, after: $after)",
    "cells": "cells(under: $under, first: $first, after: $after)",
}


def _list_query(field: str) -> str:
    return (
        f"query($under: ID, $first: Int, $after: String) {{ {LISTS[field]} {{ nodes {{ id }} }} }}"
    )


@pytest.mark.parametrize("field", sorted(LISTS))
async def test_argument_errors(read_only_demo_url: str, field: str) -> None:
    query = _list_query(field)
    under_field = "filter.under" if field in ("needs", "resources", "deeds") else "under"
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"first": 101}, "PAGE_SIZE", "first"),
        ({"first": 10_000}, "PAGE_SIZE", "first"),
        ({"first": -1}, "PAGE_SIZE", "first"),
        ({"after": "not-a-cursor"}, "INVALID_CURSOR", "after"),
        ({"after": "Y3Vyc29yOmFiYw=="}, "INVALID_CURSOR", "after"),  # "cursor:abc"
        ({"under": gid("Cell", 987654)}, "NOT_FOUND", under_field),
        ({"under": "garbage!"}, "INVALID_ID", under_field),
        ({"under": gid("Person", 1)}, "INVALID_ID", under_field),  # not a cell
    ]
    async with api_client(read_only_demo_url) as client:
        ok = await gql(client, query, {"first": 100})
        assert data_of(ok)[field]["nodes"]
        for variables, code, arg in cases:
            body = await gql(client, query, variables)
            error = only_error(body)
            assert error["extensions"]["code"] == code, (variables, body)
            assert error["extensions"]["field"] == arg, (variables, body)
            assert error["path"] == [field]
            assert body["data"] is None


async def test_search_ignores_case_and_treats_wildcards_as_text(demo_url: str) -> None:
    url = demo_url
    branch = (await sql(url, "SELECT MIN(id) AS id FROM cells WHERE level = 'BRANCH'"))[0]["id"]
    await execute(
        url,
        "INSERT INTO needs (cell_id, title, public_text, category, channel, scale, urgency, "
        "status, needs_lead, volunteers, hours, skills, resource_requests, reported_on) VALUES "
        f"({branch}, '长者活动室 WiFi 覆盖', '100%_信号', 'SPACE', 'MEETING', 'SMALL', 'LOW', "
        "'OPEN', true, 0, 0, '[]', '[]', '2026-05-01')",
    )
    new_id = (await sql(url, "SELECT MAX(id) AS id FROM needs"))[0]["id"]
    query = "query($s: String) { needs(filter: {search: $s}, first: 100) { nodes { id } } }"
    async with api_client(url) as client:
        for text, found in [
            ("wifi", True),
            ("WIFI", True),
            ("活动室 wi", True),
            ("100%_", True),  # in the published text
            ("0%", True),
            ("1_0", False),  # "_" is not "any character"
            ("%信号", False),
            ("Wi%覆盖", False),
        ]:
            body = await gql(client, query, {"s": text})
            ids = {pk_of(n["id"]) for n in data_of(body)["needs"]["nodes"]}
            assert (new_id in ids) is found, text
