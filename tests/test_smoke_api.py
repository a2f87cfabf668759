"""The nested grid over HTTP, on both engines."""

from __future__ import annotations

from tests.conftest import api_client, gql

NESTED = """
query($code: String!) {
  cell(code: $code) {
    name level
    children { name level children { name level children { name level
      people { name partyMember } } } }
  }
}
"""


async def test_town_to_people(read_only_demo_url: str) -> None:
    async with api_client(read_only_demo_url) as client:
        towns = await gql(client, "{ cells(level: TOWN) { nodes { code name } } }")
        assert "errors" not in towns, towns
        code = towns["data"]["cells"]["nodes"][0]["code"]
        body = await gql(client, NESTED, {"code": code})
    assert "errors" not in body, body
    town = body["data"]["cell"]
    assert town["level"] == "TOWN"
    villages = town["children"]
    assert villages and all(v["level"] == "VILLAGE" for v in villages)
    branches = [b for v in villages for b in v["children"]]
    groups = [g for b in branches for g in b["children"]]
    assert branches and all(b["level"] == "BRANCH" for b in branches)
    assert groups and all(g["level"] == "GROUP" for g in groups)
    people = [p for g in groups for p in g["people"]]
    assert people and all(p["name"] for p in people)
