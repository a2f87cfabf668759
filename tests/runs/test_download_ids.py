"""The run downloads refuse ids that name no run as not found (a key past the id column's
range was an HTTP 500 for anyone, before the token was even checked)."""

from __future__ import annotations

from tests.conftest import STAFF_TOKEN, api_client


async def test_a_run_download_of_an_impossible_id_is_not_found(read_only_demo_url: str) -> None:
    async with api_client(read_only_demo_url, token=STAFF_TOKEN, runs_in_server=False) as client:
        for run_id in (str(2**31), str(2**63), "9" * 40, "0", "-1"):
            for which in ("instance", "solution"):
                response = await client.get(f"/runs/{run_id}/{which}.json")
                assert response.status_code == 404, (run_id, response.text)
                assert response.json() == {"error": "no run you manage has this id"}
