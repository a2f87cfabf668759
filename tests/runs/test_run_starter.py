"""Who started a run: the account (its id, shown name and role), read by staff on both engines;
a run started with a configured bootstrap token names no account."""

from __future__ import annotations

from typing import Any

from sandan.db.enums import Role
from tests.accounts import make_token
from tests.api.helpers import data_of, gid, scalar
from tests.conftest import STAFF_TOKEN, api_client, gql
from tests.runs.helpers import cell_gid, start

STARTER = """
query Run($id: ID!) {
  optimisationRun(id: $id) { startedBy startedByAccount { id displayName role } }
}"""


async def _starter(client: Any, run_id: str) -> dict[str, Any]:
    run: dict[str, Any] = data_of(await gql(client, STARTER, {"id": run_id}))["optimisationRun"]
    return run


async def test_a_run_records_the_account_that_started_it(demo_url: str) -> None:
    town = await cell_gid(demo_url, "NH-JJ")
    token = await make_token(demo_url, Role.TOWN_ADMIN, "NH-JJ")
    account = int(await scalar(demo_url, "SELECT max(id) FROM accounts"))
    async with api_client(demo_url, token=token, runs_in_server=False) as client:
        run_id = await start(client, town)
        assert await _starter(client, run_id) == {
            "startedBy": "staff of NH-JJ",
            "startedByAccount": {
                "id": gid("Account", account),
                "displayName": "test town_admin NH-JJ",
                "role": "TOWN_ADMIN",
            },
        }
    stored = await scalar(
        demo_url,
        "SELECT started_by_account_id FROM optimisation_runs WHERE id = (SELECT max(id) "
        "FROM optimisation_runs)",
    )
    assert stored == account
    # Another staff member in scope reads who started it; a village outside the town cannot
    # read the run at all.
    async with api_client(demo_url, token=STAFF_TOKEN, runs_in_server=False) as client:
        assert (await _starter(client, run_id))["startedByAccount"]["role"] == "TOWN_ADMIN"
    other = await make_token(demo_url, Role.VILLAGE_STAFF, "NH-JJ-02")
    async with api_client(demo_url, token=other, runs_in_server=False) as client:
        assert data_of(await gql(client, STARTER, {"id": run_id}))["optimisationRun"] is None


async def test_a_bootstrap_token_starts_a_run_with_no_account(demo_url: str) -> None:
    town = await cell_gid(demo_url, "NH-JJ")
    async with api_client(demo_url, token=STAFF_TOKEN, runs_in_server=False) as client:
        run_id = await start(client, town)
        assert await _starter(client, run_id) == {
            "startedBy": "staff of the whole grid",
            "startedByAccount": None,
        }
