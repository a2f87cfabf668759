"""Reading runs and pins: the run list pages newest first, and node(id:) finds a run and a
pin for staff whose scope covers them, and nothing for anyone else."""

from __future__ import annotations

from tests.api.helpers import data_of, gid, scalar
from tests.conftest import STAFF_TOKEN, api_client, gql
from tests.runs.helpers import cell_gid, start

RUNS = """
query Runs($after: String) {
  optimisationRuns(first: 2, after: $after) {
    totalCount nodes { id } pageInfo { hasNextPage endCursor }
  }
}"""

PIN = """
mutation Pin($need: ID!, $person: ID!) {
  pin(input: {need: $need, person: $person, role: TEAM}) { constraint { id } errors { code } }
}"""

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename id
    ... on OptimisationRun { status }
    ... on RunConstraint { kind }
  }
}"""


async def test_runs_page_newest_first_and_node_finds_runs_and_pins(demo_url: str) -> None:
    town = await cell_gid(demo_url, "NH-JJ")
    need = gid("Need", int(await scalar(demo_url, "SELECT min(id) FROM needs")))
    person = gid("Person", int(await scalar(demo_url, "SELECT min(id) FROM people")))
    async with api_client(demo_url, token=STAFF_TOKEN, runs_in_server=False) as c:
        started = [await start(c, town) for _ in range(3)]
        first = data_of(await gql(c, RUNS))["optimisationRuns"]
        assert first["totalCount"] == 3
        assert [n["id"] for n in first["nodes"]] == started[::-1][:2]
        assert first["pageInfo"]["hasNextPage"]
        rest = data_of(await gql(c, RUNS, {"after": first["pageInfo"]["endCursor"]}))
        assert [n["id"] for n in rest["optimisationRuns"]["nodes"]] == started[:1]
        assert not rest["optimisationRuns"]["pageInfo"]["hasNextPage"]

        pinned = data_of(await gql(c, PIN, {"need": need, "person": person}))["pin"]
        assert pinned["errors"] == [], pinned
        pin_id = pinned["constraint"]["id"]
        run = data_of(await gql(c, NODE, {"id": started[0]}))["node"]
        assert run == {"__typename": "OptimisationRun", "id": started[0], "status": "QUEUED"}
        pin = data_of(await gql(c, NODE, {"id": pin_id}))["node"]
        assert pin == {"__typename": "RunConstraint", "id": pin_id, "kind": "PIN"}
    async with api_client(demo_url, runs_in_server=False) as public:
        for hidden in (started[0], pin_id):
            assert data_of(await gql(public, NODE, {"id": hidden}))["node"] is None
