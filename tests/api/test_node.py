"""node(id:): every Node type comes back as itself; bad ids are errors, missing rows are null."""

from __future__ import annotations

import pytest

from tests.api.helpers import data_of, gid, only_error, sql
from tests.conftest import STAFF_TOKEN, api_client, gql

NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Cell { label: name }
    ... on Person { label: name }
    ... on Household { label: code }
    ... on Organisation { label: name }
    ... on Resource { label: title }
    ... on Need { label: title }
    ... on Deed { label: title }
  }
}
"""

# type -> (table, column the query labels)
TYPES = {
    "Cell": ("cells", "name"),
    "Person": ("people", "name"),
    "Household": ("households", "code"),
    "Organisation": ("organisations", "name"),
    "Resource": ("resources", "title"),
    "Need": ("needs", "title"),
    "Deed": ("deeds", "title"),
}


async def test_node_returns_every_type(read_only_demo_url: str) -> None:
    url = read_only_demo_url
    # Staff of the whole grid: unpublished deeds are theirs only (test_unpublished_deeds).
    async with api_client(url, token=STAFF_TOKEN) as client:
        for type_name, (table, column) in TYPES.items():
            rows = await sql(url, f"SELECT id, {column} AS label FROM {table} ORDER BY id")
            assert rows, table
            for row in (rows[0], rows[-1]):
                global_id = gid(type_name, row["id"])
                node = data_of(await gql(client, NODE, {"id": global_id}))["node"]
                assert node == {"__typename": type_name, "id": global_id, "label": row["label"]}


async def test_node_ids_round_trip_from_lists(read_only_demo_url: str) -> None:
    """An id the API hands out in a list resolves to the same object through node()."""
    async with api_client(read_only_demo_url) as client:
        body = await gql(client, "{ needs(first: 3) { nodes { id title } } }")
        for need in data_of(body)["needs"]["nodes"]:
            node = data_of(await gql(client, NODE, {"id": need["id"]}))["node"]
            assert node["__typename"] == "Need" and node["label"] == need["title"]


@pytest.mark.parametrize(
    "bad_id",
    [
        "garbage",
        "",
        "Q2VsbDo=",  # "Cell:" (no pk)
        "Q2VsbDphYmM=",  # "Cell:abc"
        gid("Nonsense", 1),  # no such type
    ],
)
async def test_malformed_ids_are_invalid(read_only_demo_url: str, bad_id: str) -> None:
    async with api_client(read_only_demo_url) as client:
        body = await gql(client, NODE, {"id": bad_id})
    error = only_error(body)
    assert error["extensions"]["code"] == "INVALID_ID", body
    assert error["extensions"]["field"] == "id"
    assert body["data"] == {"node": None}


async def test_well_formed_id_of_a_missing_row_is_null(read_only_demo_url: str) -> None:
    url = read_only_demo_url
    async with api_client(url) as client:
        for type_name, (table, _) in TYPES.items():
            top = (await sql(url, f"SELECT MAX(id) AS m FROM {table}"))[0]["m"]
            body = await gql(client, NODE, {"id": gid(type_name, top + 1000)})
            assert data_of(body) == {"node": None}, type_name
