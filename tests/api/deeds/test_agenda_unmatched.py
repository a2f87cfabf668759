"""The joint meeting's agenda lists the open needs the latest optimisation run left unmatched,
with the run's reasons (the runs' own tests cover which run counts as the latest)."""

from __future__ import annotations

from tests.api.helpers import data_of, execute, gid, scalar
from tests.conftest import STAFF_TOKEN, api_client, gql

AGENDA = """query($c: ID!, $m: String!) { jointMeetingAgenda(cell: $c, month: $m) {
  branches { items { reasons unmatchedReason need { id } } } } }"""


async def _unmatched_items(url: str, village: int) -> dict[str, str | None]:
    async with api_client(url, token=STAFF_TOKEN, runs_in_server=False) as client:
        body = await gql(client, AGENDA, {"c": gid("Cell", village), "m": "2026-06"})
    branches = data_of(body)["jointMeetingAgenda"]["branches"]
    return {
        item["need"]["id"]: item["unmatchedReason"]
        for branch in branches
        for item in branch["items"]
        if "UNMATCHED" in item["reasons"]
    }


async def test_needs_a_run_left_unmatched_are_on_the_agenda(demo_url: str) -> None:
    village = await scalar(demo_url, "SELECT MIN(id) FROM cells WHERE level = 'VILLAGE'")
    path = await scalar(demo_url, f"SELECT path FROM cells WHERE id = {village}")
    need = await scalar(
        demo_url,
        "SELECT MIN(n.id) FROM needs n JOIN cells c ON c.id = n.cell_id "
        f"WHERE n.status = 'OPEN' AND c.path LIKE '{path}%'",
    )
    assert await _unmatched_items(demo_url, village) == {}
    await execute(
        demo_url,
        "INSERT INTO optimisation_runs (id, cell_id, cell_path, period_from, period_to, status, "
        "time_limit_seconds, seed, started_by, attempts) VALUES (1, "
        f"{village}, '{path}', '2026-05-01', '2026-08-31', 'SUCCEEDED', 10, 0, 'test', 1)",
        "INSERT INTO run_unmatched (run_id, need_id, reasons) "
        f'VALUES (1, {need}, \'["NO_ELIGIBLE_LEAD", "RESOURCE_SHORT: VENUE"]\')',
    )
    assert await _unmatched_items(demo_url, village) == {
        gid("Need", need): "NO_ELIGIBLE_LEAD, RESOURCE_SHORT: VENUE"
    }
