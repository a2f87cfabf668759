"""The public reads published deeds only; staff see the unpublished deeds of their own subtree.

A proposed or approved deed carries its plan, lead and team: `deeds(filter:{published:false})`
once listed them to anyone. The rule sits in the repository's deed select, so every way to a
deed is filtered alike: the `deeds` page, `cell { deeds }`, `need { deed }` and `node(id:)`, on
the strawberry and the compiled read paths.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import gid, sql
from tests.conftest import api_client, gql

VILLAGE_TOKEN, OTHER_TOKEN = "deeds-village-token", "deeds-other-token"
PATHS = {
    "strawberry": {"planned_reads": False},
    "compiled": {"planned_reads": True, "json_reads": False},
    "json": {"planned_reads": True, "json_reads": True},
}


async def _an_unpublished_deed(url: str) -> dict[str, Any]:
    rows = await sql(
        url,
        "SELECT d.id, d.need_id, d.cell_id, c.path FROM deeds d JOIN cells c ON c.id = d.cell_id "
        "WHERE NOT d.published AND d.need_id IS NOT NULL ORDER BY d.id",
    )
    assert rows, "the demo has no unpublished deed of a need"
    deed = rows[0]
    villages = await sql(url, "SELECT code, path FROM cells WHERE level = 'VILLAGE' ORDER BY id")
    deed["village"] = next(v["code"] for v in villages if deed["path"].startswith(v["path"]))
    deed["other"] = next(v["code"] for v in villages if not deed["path"].startswith(v["path"]))
    return deed


def _queries(deed: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each way to a deed, and the variables that reach the unpublished one."""
    return {
        "page": (
            "query($cell: ID!) { deeds(first: 100, filter: {under: $cell, published: false}) "
            "{ nodes { id } } }",
            {"cell": gid("Cell", deed["cell_id"])},
        ),
        "cell": (
            "query($cell: ID!) { node(id: $cell) { ... on Cell { deeds { id } } } }",
            {"cell": gid("Cell", deed["cell_id"])},
        ),
        "need": (
            "query($need: ID!) { node(id: $need) { ... on Need { deed { id } } } }",
            {"need": gid("Need", deed["need_id"])},
        ),
        "node": (
            "query($deed: ID!) { node(id: $deed) { ... on Deed { id } } }",
            {"deed": gid("Deed", deed["id"])},
        ),
    }


def _ids(data: Any) -> set[str]:
    """Every `id` in an answer."""
    if isinstance(data, dict):
        found = {v for k, v in data.items() if k == "id" and isinstance(v, str)}
        for v in data.values():
            found |= _ids(v)
        return found
    if isinstance(data, list):
        return set().union(*(_ids(v) for v in data)) if data else set()
    return set()


@pytest.mark.parametrize("path", PATHS)
async def test_unpublished_deeds_only_for_staff_of_their_subtree(
    read_only_demo_url: str, path: str
) -> None:
    deed = await _an_unpublished_deed(read_only_demo_url)
    wanted = gid("Deed", deed["id"])
    staff = {VILLAGE_TOKEN: deed["village"], OTHER_TOKEN: deed["other"]}
    for caller, token in (("public", None), ("other", OTHER_TOKEN), ("in", VILLAGE_TOKEN)):
        async with api_client(
            read_only_demo_url, token=token, staff_tokens=staff, **PATHS[path]
        ) as client:
            for way, (query, variables) in _queries(deed).items():
                body = await gql(client, query, variables)
                assert "errors" not in body, (way, body)
                seen = wanted in _ids(body["data"])
                assert seen == (caller == "in"), f"{caller} via {way} on {path}: {body}"


async def test_the_public_page_lists_published_deeds_only(read_only_demo_url: str) -> None:
    published = await sql(read_only_demo_url, "SELECT COUNT(*) AS n FROM deeds WHERE published")
    async with api_client(read_only_demo_url) as client:
        hidden = await gql(client, "{ deeds(filter: {published: false}) { totalCount } }")
        shown = await gql(client, "{ deeds { totalCount } }")
    assert hidden["data"]["deeds"]["totalCount"] == 0
    assert shown["data"]["deeds"]["totalCount"] == published[0]["n"] > 0
