"""The queue's worker loop: take a run, solve it in a child process, heartbeat, write results.

Runs in the server process (a task beside the event loop's requests; the solve itself is in a
child) and in `sandan worker` processes. On PostgreSQL any number of them share the runs table:
claims use SELECT ... FOR UPDATE SKIP LOCKED (db/repositories/runs.py), idle workers sleep on
LISTEN sandan_runs and poll as a fallback, and every worker reaps runs whose worker went silent.
On SQLite the server is the only worker and takes one run at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from sandan.db.models.runs import CancelRequest, RunStatus
from sandan.db.repositories import runs
from sandan.db.repositories.batch import Record
from sandan.resolvers.runs.results import failure_message, statistics, write_results
from sandan.resolvers.runs.solve_process import ChildTarget, Job, SolveProcess

log = logging.getLogger("sandan.runs")

HEARTBEAT_SECONDS = 0.5  # also how often progress is published and cancel requests are read
KEEP_BEST_GRACE = 15.0  # after a "keep the best answer" cancel, time to write that answer
EXPORT_FAILED = (
    "the lists of this cell could not be read for the run; try again, and if it keeps failing "
    "ask the operator to check the database"
)
# The outer give-up (as `sandan solve` has one): a solver past its time limit by this much is
# asked to stop with its best answer. The solver keeps a reserve of its own and answers within
# about a second of its limit on a machine to itself (`sandan solve`'s contract); here it runs
# at niceness 10 behind the API and the database, and a district's solve (19,098 needs) took
# 33.0 s at a 30 s limit (BENCHMARKS.md, the write table). So 5 s, plus 2.5e-4 s a need (the
# district's 3 s is 1.6e-4 s a need, rounded up for a loaded machine): a town about 6 s past
# its limit, a district about 10 s.
OVERRUN_GRACE = 5.0
OVERRUN_GRACE_PER_NEED = 2.5e-4
# ... and, asked to stop, this long to send that answer (as after a staff "keep the best answer"
# cancel) before the child is killed and the run fails.
STOP_GRACE = KEEP_BEST_GRACE
# The export (spawning, reading the cell's rows, storing the instance, loading the solver) is not
# bounded by the time limit; a district's takes about 6 s (BENCHMARKS.md). An export still going
# after 100 times that is stuck (a lock never released, a database gone silent).
EXPORT_LIMIT = 600.0
EXPORT_STUCK = (
    "reading the lists of this cell for the run did not finish within {limit:g} s and was "
    "stopped; try again, and if it keeps happening ask the operator to check the database"
)
# The key, in the facts and then the run's statistics, of the seconds past its time limit at which
# the give-up stopped the solver (a SUCCEEDED run's answer may be from a stopped solver).
GAVE_UP = "stopped_past_time_limit"
OVERRAN = (
    "the solver did not stop within its time limit ({limit} s) and was stopped; try again, and "
    "if it keeps happening ask the operator"
)


@dataclass(frozen=True)
class WorkerConfig:
    lease_seconds: float = 30.0
    poll_seconds: float = 2.0
    solver_threads: int = 1
    # The give-up's graces (module constants above); tests shorten them.
    overrun_grace: float = OVERRUN_GRACE
    overrun_grace_per_need: float = OVERRUN_GRACE_PER_NEED
    stop_grace: float = STOP_GRACE
    export_limit: float = EXPORT_LIMIT


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class RunWorker:
    def __init__(
        self,
        engine: AsyncEngine,
        sessionmaker: async_sessionmaker[AsyncSession],
        config: WorkerConfig,
        name: str | None = None,
        child: ChildTarget | None = None,
    ) -> None:
        self.engine = engine
        self.database_url = engine.url.render_as_string(hide_password=False)
        self.sessionmaker = sessionmaker
        self.config = config
        self.name = name or worker_name()
        self.child = child  # what the solving process runs (tests give one that overruns)
        self.wake = asyncio.Event()
        self.stop = asyncio.Event()

    async def serve(self) -> None:
        """Take and solve runs until `stop` is set."""
        async with self._listening():
            while not self.stop.is_set():
                try:
                    async with self.sessionmaker() as session:
                        await runs.reap(session, self.config.lease_seconds)
                    async with self.sessionmaker() as session:
                        run = await runs.claim(session, self.name)
                except Exception:  # the database went away: keep the loop, try again later
                    log.exception("the runs queue could not be read")
                    run = None
                if run is not None:
                    try:
                        await self.execute(run)
                    except Exception:  # e.g. the database went away mid-run
                        log.exception("run %s: left to the lease (taken again later)", run.id)
                    continue
                self.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._woken(), self.config.poll_seconds)

    async def _woken(self) -> None:
        stop = asyncio.create_task(self.stop.wait())
        wake = asyncio.create_task(self.wake.wait())
        try:
            await asyncio.wait({stop, wake}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            wake.cancel()

    @contextlib.asynccontextmanager
    async def _listening(self) -> AsyncIterator[None]:
        """LISTEN on PostgreSQL (a dedicated connection); nothing on SQLite (polling only)."""
        if self.engine.dialect.name != "postgresql":
            yield
            return
        conn = await self.engine.connect()
        try:
            raw: Any = (await conn.get_raw_connection()).driver_connection
            await raw.add_listener(runs.RUNS_CHANNEL, lambda *_: self.wake.set())
        except Exception:
            log.warning("LISTEN failed; the worker polls every %s s", self.config.poll_seconds)
        try:
            yield
        finally:
            await conn.invalidate()  # the connection holds a listener: never back to the pool

    def job(self, run: Record) -> Job:
        return Job(
            database_url=self.database_url,
            run_id=run.id,
            cell_id=run.cell_id,
            cell_code=run.cell_code,
            cell_path=run.cell_path,
            period_from=run.period_from,
            period_to=run.period_to,
            time_limit=float(run.time_limit_seconds),
            seed=run.seed,
            threads=self.config.solver_threads,
        )

    async def execute(self, run: Record) -> None:
        """Solve one claimed run to its final state (or leave it to the lease if we stop)."""
        proc = SolveProcess(self.job(run), self.child)
        facts: dict[str, Any] = {}
        try:
            outcome = await self._follow(run, proc, facts)
        finally:
            await asyncio.to_thread(proc.kill)
        if outcome is None:
            return
        status, answer, progress = outcome
        if answer is None:
            await self._finish(run, status, progress=progress)
            return
        if isinstance(answer, str):
            await self._finish(run, RunStatus.FAILED, failure=answer, progress=progress)
            return
        solution = orjson.loads(answer)
        failure = failure_message(solution)
        seconds = {"export": float(facts.get("export_seconds", 0.0))}
        stats = statistics(facts, solution, seconds, int(facts.get("skipped", 0)))
        if GAVE_UP in facts:  # kept with the statistics: the answer is from a stopped solver
            stats[GAVE_UP] = facts[GAVE_UP]
        if failure is not None:
            async with self.sessionmaker() as session, session.begin():
                await runs.save_file(session, run.id, solution=answer.decode())
            await self._finish(run, RunStatus.FAILED, failure=failure, statistics=stats)
            return
        t_write = time.monotonic()
        written = await write_results(
            self.sessionmaker,
            run,
            solution,
            answer.decode(),
            status,
            stats,
            progress,
            reservations=facts.get("resource_pins", []),
        )
        log.info(
            "run %s: %s, %d deeds written in %.2f s",
            run.id,
            status,
            stats["deeds_proposed"],
            time.monotonic() - t_write,
        )
        if not written:
            log.warning("run %s was taken from this worker; its answer was dropped", run.id)

    async def _follow(
        self, run: Record, proc: SolveProcess, facts: dict[str, Any]
    ) -> tuple[RunStatus, bytes | str | None, dict[str, Any] | None] | None:
        """Wait for the child, heartbeating; (final status, answer or failure, last progress),
        or None when the run is no longer ours or the worker is stopping."""
        progress: dict[str, Any] | None = None
        published: dict[str, Any] | None = None
        keep_best_until: float | None = None
        clock = _GiveUp(self.config, float(run.time_limit_seconds))
        last_beat = 0.0
        while True:
            # A child that has just exited may still have its answer in the pipe: read it first.
            exited = not proc.alive
            for kind, payload in await asyncio.to_thread(proc.receive, 0.2):
                if kind == "progress":
                    progress = payload
                elif kind == "started":
                    log.info("run %s: solving in process %s", run.id, payload["pid"])
                elif kind == "exported":
                    facts.update(payload)
                    clock.solving(int(payload.get("needs", 0)))
                elif kind == "export_failed":
                    log.error("run %s: export failed (%s)", run.id, payload)
                    return RunStatus.FAILED, EXPORT_FAILED, progress
                elif kind == "done":
                    final = RunStatus.CANCELLED if keep_best_until else RunStatus.SUCCEEDED
                    return final, payload, progress
                else:
                    return (
                        RunStatus.FAILED,
                        f"the solver stopped with an error ({payload})",
                        progress,
                    )
            if exited:
                code = proc.exit_code
                return (
                    RunStatus.FAILED,
                    f"the solver process ended without an answer (exit code {code}); this is "
                    "often a lack of memory: try a smaller cell or ask the operator",
                    progress,
                )
            if self.stop.is_set():
                await self._release(run)
                return None
            now = time.monotonic()
            if keep_best_until is not None and now > keep_best_until:
                return RunStatus.CANCELLED, None, progress
            failure = clock.check(run, proc, facts, now)
            if failure is not None:  # `execute` kills the child
                return RunStatus.FAILED, failure, progress
            if now - last_beat < HEARTBEAT_SECONDS:
                continue
            last_beat = now
            fresh = progress if progress is not published else None
            async with self.sessionmaker() as session:
                ours, request = await runs.heartbeat(session, run.id, run.attempts, fresh)
            published = progress
            if not ours:
                return None
            if request == CancelRequest.DISCARD:
                return RunStatus.CANCELLED, None, progress
            if request == CancelRequest.KEEP_BEST and keep_best_until is None:
                proc.cancel.set()
                keep_best_until = now + KEEP_BEST_GRACE

    async def _finish(self, run: Record, status: RunStatus, **values: Any) -> None:
        async with self.sessionmaker() as session, session.begin():
            await runs.finish(session, run.id, run.attempts, status, **values)

    async def _release(self, run: Record) -> None:
        """The worker is shutting down: hand the run back to the queue (counts as one stop)."""
        async with self.sessionmaker() as session, session.begin():
            await runs.finish(
                session, run.id, run.attempts, RunStatus.INTERRUPTED, finished_at=None
            )


class _GiveUp:
    """The outer give-up of one run: an export that never ends, then a solve past its time limit
    (asked to stop with its best answer, then abandoned). Times are time.monotonic()."""

    def __init__(self, config: WorkerConfig, time_limit: float) -> None:
        self.config = config
        self.time_limit = time_limit
        self.export_until = time.monotonic() + config.export_limit
        self.solve_started: float | None = None  # when "exported" came: the solve began
        self.grace = 0.0
        self.stop_until: float | None = None  # set when the solver is asked to stop

    def solving(self, needs: int) -> None:
        self.solve_started = time.monotonic()
        self.grace = self.config.overrun_grace + self.config.overrun_grace_per_need * needs

    def check(
        self, run: Record, proc: SolveProcess, facts: dict[str, Any], now: float
    ) -> str | None:
        """The run's failure when it is to be given up now. Past the solve's limit and grace it
        first asks the solver to stop, noting in `facts` how far past the limit it was."""
        if self.solve_started is None:
            if now <= self.export_until:
                return None
            limit = self.config.export_limit
            log.error("run %s: its export was still going after %g s", run.id, limit)
            return EXPORT_STUCK.format(limit=limit)
        past = now - self.solve_started - self.time_limit
        if self.stop_until is None:
            if past <= self.grace:
                return None
            log.warning("run %s: no answer %.1f s past its time limit; stopping it", run.id, past)
            proc.cancel.set()  # the solver returns its best answer, as after a keep-best cancel
            facts[GAVE_UP] = round(past, 1)
            self.stop_until = now + self.config.stop_grace
            return None
        if now <= self.stop_until:
            return None
        log.error("run %s: the solver did not stop when asked; its process is killed", run.id)
        return OVERRAN.format(limit=run.time_limit_seconds)
