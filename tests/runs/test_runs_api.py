"""Runs through the API on both engines: input checks, a run's answer, the queue's order,
cancelling, and the files a run can be replayed and checked with."""

from __future__ import annotations

import time
from typing import Any

import orjson

from sandan.db.models.runs import RunStatus
from sandan.db.repositories import runs
from sandan.matching.check import check
from sandan.resolvers.runs.worker import RunWorker, WorkerConfig
from tests.api.helpers import data_of, gid, pk_of, scalar, sql
from tests.conftest import STAFF_TOKEN, api_app, api_client, gql
from tests.runs.helpers import PERIOD, PROPOSALS, START, cell_gid, start, wait_for_end

VILLAGE_TOKEN = "test-staff-token-village-01"


async def _errors(client: Any, **input_: Any) -> list[dict[str, Any]]:
    body = await gql(client, START, {"input": input_})
    payload = data_of(body)["startOptimisation"]
    assert payload["run"] is None
    errors: list[dict[str, Any]] = payload["errors"]
    return errors


async def test_start_checks_its_input_and_writes_nothing_when_refused(demo_url: str) -> None:
    town = await cell_gid(demo_url, "NH-JJ")
    group = gid(
        "Cell", int(await scalar(demo_url, "SELECT max(id) FROM cells WHERE level = 'GROUP'"))
    )
    village_2 = await cell_gid(demo_url, "NH-JJ-02")
    tokens = {STAFF_TOKEN: "*", VILLAGE_TOKEN: "NH-JJ-01"}
    async with api_client(
        demo_url, token=STAFF_TOKEN, staff_tokens=tokens, runs_in_server=False
    ) as c:
        reversed_ = await _errors(c, cell=town, **{"from": "2026-06-02", "to": "2026-06-01"})
        assert [(e["code"], e["field"]) for e in reversed_] == [("PERIOD_REVERSED", "to")]
        too_long = await _errors(c, cell=town, **{"from": "2026-01-01", "to": "2027-01-02"})
        assert [e["code"] for e in too_long] == ["PERIOD_TOO_LONG"]
        for limit in (0, 601):
            bad = await _errors(c, cell=town, timeLimitSeconds=limit, **PERIOD)
            assert [(e["code"], e["field"]) for e in bad] == [("OUT_OF_RANGE", "timeLimitSeconds")]
        assert [e["code"] for e in await _errors(c, cell=group, **PERIOD)] == ["WRONG_LEVEL"]
        missing = gid("Cell", 999_999)
        assert [e["code"] for e in await _errors(c, cell=missing, **PERIOD)] == ["NOT_FOUND"]
        assert [e["code"] for e in await _errors(c, cell="nonsense", **PERIOD)] == ["INVALID_ID"]
    async with api_client(
        demo_url, token=VILLAGE_TOKEN, staff_tokens=tokens, runs_in_server=False
    ) as c:
        assert [e["code"] for e in await _errors(c, cell=village_2, **PERIOD)] == ["FORBIDDEN"]
    async with api_client(demo_url, runs_in_server=False) as public:
        assert [e["code"] for e in await _errors(public, cell=town, **PERIOD)] == ["FORBIDDEN"]
    assert await scalar(demo_url, "SELECT count(*) FROM optimisation_runs") == 0


async def test_a_run_writes_explained_proposals_and_unmatched_reasons(demo_url: str) -> None:
    town = await cell_gid(demo_url, "NH-JJ")
    async with api_client(demo_url, token=STAFF_TOKEN, run_poll_seconds=0.2) as client:
        run_id = await start(client, town)
        run = await wait_for_end(client, run_id)
        assert run["status"] == "SUCCEEDED", run
        assert run["progress"]["phase"] == "done" and run["progress"]["fraction"] == 1.0
        answer = data_of(await gql(client, PROPOSALS, {"id": run_id}))["optimisationRun"]
        proposals, unmatched = answer["proposals"], answer["unmatched"]
        stats = run["statistics"]
        assert proposals["totalCount"] == stats["deedsProposed"] > 0
        assert unmatched["totalCount"] == stats["unmatched"] > 0
        assert stats["needs"] == stats["deedsProposed"] + stats["unmatched"]
        assert stats["stoppedPastTimeLimit"] is None  # it answered within its limit
        for p in proposals["nodes"]:
            assert p["deed"]["status"] == "PROPOSED" and p["explanation"]
        for u in unmatched["nodes"]:
            assert u["reasons"] and u["need"]["unmatchedReasons"] == u["reasons"]
        by_reason = sum(r["count"] for r in stats["unmatchedByReason"])
        assert by_reason == sum(len(u["reasons"]) for u in unmatched["nodes"])
        # The deeds are in the deed list, linked to the run, with their members.
        rows = await sql(
            demo_url,
            "SELECT d.status, count(m.id) AS members FROM deeds d "
            "JOIN run_proposals p ON p.deed_id = d.id LEFT JOIN deed_members m ON m.deed_id = d.id "
            "WHERE p.run_id = :r GROUP BY d.id, d.status",
            {"r": pk_of(run_id)},
        )
        assert len(rows) == stats["deedsProposed"] and all(r["members"] > 0 for r in rows)
        # The downloads are the contract's files: the solution checks against the instance.
        instance = (await client.get(f"/runs/{pk_of(run_id)}/instance.json")).json()
        solution = (await client.get(f"/runs/{pk_of(run_id)}/solution.json")).json()
        report = check(instance, solution)
        assert report.ok, report.violations
        assert len(solution["deeds"]) == stats["deedsProposed"]
    async with api_client(demo_url) as public:
        denied = await public.get(f"/runs/{pk_of(run_id)}/instance.json")
        assert denied.status_code == 401
        hidden = data_of(
            await gql(public, "query($id: ID!){ optimisationRun(id: $id) { id } }", {"id": run_id})
        )
        assert hidden["optimisationRun"] is None


async def test_a_queued_run_is_cancelled_at_once(demo_url: str) -> None:
    town = await cell_gid(demo_url, "NH-JJ")
    cancel = "mutation($id: ID!) { cancelOptimisation(id: $id) { run { status } errors { code } } }"
    async with api_client(demo_url, token=STAFF_TOKEN, runs_in_server=False) as client:
        run_id = await start(client, town)
        payload = data_of(await gql(client, cancel, {"id": run_id}))["cancelOptimisation"]
        assert payload == {"run": {"status": "CANCELLED"}, "errors": []}
        again = data_of(await gql(client, cancel, {"id": run_id}))["cancelOptimisation"]
        assert again["errors"] == [{"code": "ALREADY_FINISHED"}]


async def test_overlapping_runs_wait_for_each_other_in_the_queue(demo_url: str) -> None:
    """A run whose subtree meets a running or older waiting run's is not taken until that one
    ends (whatever the periods: a need's window can span both); disjoint subtrees run side
    by side."""
    town, v1, v2 = [await cell_gid(demo_url, c) for c in ("NH-JJ", "NH-JJ-01", "NH-JJ-02")]
    later = {"from": "2026-09-01", "to": "2026-09-30"}
    async with api_app(demo_url, token=STAFF_TOKEN, runs_in_server=False) as (client, state):
        village_1 = pk_of(await start(client, v1))
        whole = pk_of(await start(client, town, period=later))
        village_2 = pk_of(await start(client, v2))
        village_1_later = pk_of(await start(client, v1, period=later))
        async with state.sessionmaker() as session:
            first = await runs.claim(session, "w1")
            assert first is not None and first.id == village_1
            # The town waits for village 1; village 2 may not overtake the older town run.
            assert await runs.claim(session, "w2") is None
            await runs.finish(session, village_1, 1, RunStatus.SUCCEEDED)
            await session.commit()
            second = await runs.claim(session, "w2")
            assert second is not None and second.id == whole
            assert await runs.claim(session, "w3") is None
            await runs.finish(session, whole, 1, RunStatus.SUCCEEDED)
            await session.commit()
            third, fourth = await runs.claim(session, "w3"), await runs.claim(session, "w4")
            assert third is not None and third.id == village_2
            assert fourth is not None and fourth.id == village_1_later


async def test_a_silent_worker_loses_its_run_once_then_the_run_fails(demo_url: str) -> None:
    town = await cell_gid(demo_url, "NH-JJ")
    async with api_app(demo_url, token=STAFF_TOKEN, runs_in_server=False) as (client, state):
        pk = pk_of(await start(client, town))
        async with state.sessionmaker() as session:
            for attempt, expected in ((1, RunStatus.INTERRUPTED), (2, RunStatus.FAILED)):
                taken = await runs.claim(session, "dead worker")
                assert taken is not None and taken.id == pk and taken.attempts == attempt
                # A lease of 0 s: the claim's heartbeat is already too old.
                assert await runs.reap(session, 0.0) == 1
                row = await runs.run_by_id(session, pk)
                assert row is not None and row.status == expected
                # The dead worker's late answer is refused (its attempt is no longer current).
                assert not await runs.finish(session, pk, attempt, RunStatus.SUCCEEDED)
            assert row.failure is not None and "stopped twice" in row.failure


CANCEL = """
mutation Cancel($id: ID!, $keep: Boolean!) {
  cancelOptimisation(id: $id, keepBest: $keep) { run { status cancelRequested } errors { code } }
}"""


async def test_a_running_run_stops_within_two_seconds_keeping_nothing_or_its_best(
    demo_url: str,
) -> None:
    # The town both times: in the default period its villages' needs may all be unmatchable
    # (NH-JJ-01's four are), and "the best answer is written" must mean some deeds.
    town = await cell_gid(demo_url, "NH-JJ")
    async with api_app(demo_url, token=STAFF_TOKEN, runs_in_server=False) as (client, state):
        worker = RunWorker(state.engine, state.sessionmaker, WorkerConfig())
        for cell, keep in ((town, False), (town, True)):
            run_id = await start(client, cell, seconds=60)
            async with state.sessionmaker() as session:
                claimed = await runs.claim(session, worker.name)
            assert claimed is not None and claimed.id == pk_of(run_id)
            asked = data_of(await gql(client, CANCEL, {"id": run_id, "keep": keep}))
            assert asked["cancelOptimisation"] == {
                "run": {"status": "RUNNING", "cancelRequested": True},
                "errors": [],
            }
            t0 = time.monotonic()
            await worker.execute(claimed)
            # Stopped, not solved to its 60 s limit (how fast is for BENCHMARKS.md, not a test).
            assert time.monotonic() - t0 < 30
            rows = await sql(
                demo_url,
                "SELECT r.status, r.statistics, (SELECT count(*) FROM run_proposals p "
                "WHERE p.run_id = r.id) AS written FROM optimisation_runs r WHERE r.id = :id",
                {"id": claimed.id},
            )
            assert rows[0]["status"] == "CANCELLED"
            if keep:  # the best answer so far is written, as the statistics say
                stats = rows[0]["statistics"]
                stats = orjson.loads(stats) if isinstance(stats, str) else stats
                assert rows[0]["written"] == stats["deeds_proposed"] > 0
            else:
                assert rows[0]["written"] == 0 and rows[0]["statistics"] is None
