"""The export and the solve in a child process: CPU-bound, GIL-holding work never runs in the
event loop's process (building a district's instance from its rows alone holds the GIL for
seconds).

The child exports the run's instance (its own database connection; the file is stored on the
run), runs `sandan.matching.solve` with the solver's own progress callback and cancel hook, and
talks to its parent through a pipe: ("started", its scheduling), ("exported", sizes),
("progress", dict) a few times a second, then ("done", solution JSON bytes) or ("error" /
"export_failed", message). "exported" is sent as the solve begins (the solver imported, the
instance parsed): the parent's give-up clock for the time limit starts there. It exits by
itself when its parent dies (a SIGKILLed worker must not leave a solver burning a core until
its time limit).

The child's steps (`begin`, `export`, `solve_and_answer`) are separate so that a test can run a
child of its own (`SolveProcess(target=...)`) that behaves like a solver that overran.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import Connection
from typing import Any

import orjson

PARENT_CHECK_SECONDS = 0.5
NICENESS = 10


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


@dataclass(frozen=True)
class Job:
    """What the child needs to export and solve one run (picklable, no connections)."""

    database_url: str
    run_id: int
    cell_id: int
    cell_code: str
    cell_path: str
    period_from: date
    period_to: date
    time_limit: float
    seed: int
    threads: int


async def _export(job: Job) -> tuple[bytes, dict[str, Any]]:
    """The run's instance (with pins and forbids), stored as the run's instance file."""
    from sandan.db.engine import create_nullpool_engine, create_sessionmaker
    from sandan.db.repositories import runs
    from sandan.resolvers.runs.prepare import prepare_instance

    t0 = time.monotonic()
    engine = create_nullpool_engine(job.database_url)
    try:
        sessionmaker = create_sessionmaker(engine)
        instance, skipped = await prepare_instance(sessionmaker, job)
        text = orjson.dumps(instance)
        facts: dict[str, Any] = {
            key: len(instance[key]) for key in ("needs", "people", "resources")
        }
        # The units reserved for resource pins: the parent adds them to the needs' deeds.
        facts["resource_pins"] = instance.get("resource_pins", [])
        del instance
        async with sessionmaker() as session, session.begin():
            await runs.save_file(session, job.run_id, instance=text.decode())
    finally:
        await engine.dispose()
    facts.update(skipped=skipped, export_seconds=round(time.monotonic() - t0, 3))
    return text, facts


def _own_scheduling_group() -> dict[str, Any]:
    """Put this process in a session of its own and so, where the kernel groups tasks by
    session (CONFIG_SCHED_AUTOGROUP, on in most distributions), in a scheduling group of its
    own, given the same low priority.

    Niceness only ranks tasks within one autogroup; between autogroups the CPU is shared evenly.
    A child in its server's session made the server's group look busy on the solver's core, so
    the group's share on the core where the server ran shrank below the database's and the load
    generator's: the event loop, runnable, waited tens of ms for a core (its scheduler run delay,
    read beside each stall) and the API's p99 rose 2-26x while a district solved. In a group of
    its own at niceness 10 the solver takes what the others leave (BENCHMARKS.md)."""
    os.setsid()
    group = None
    with contextlib.suppress(OSError):  # no autogroups on this kernel: the niceness still holds
        with open("/proc/self/autogroup", "w") as f:
            f.write(str(NICENESS))
        with open("/proc/self/autogroup") as f:
            group = f.read().strip()
    return {"pid": os.getpid(), "session": os.getsid(0), "autogroup": group}


def begin(out: Connection, parent: int) -> None:
    """The child's first step: exit with the parent, low priority, ("started", scheduling)."""
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    # The export and the solve are background work: on a small machine the API's requests (and
    # the database) must get the CPU first. Parts of the solver use more than one thread (the
    # LP of a large component solves two parts at a time).
    os.nice(NICENESS)
    out.send(("started", _own_scheduling_group()))


def export(job: Job, out: Connection) -> dict[str, Any] | None:
    """Export the run's instance, load the solver and send ("exported", sizes); the parsed
    instance, or None after sending ("export_failed", ...)."""
    try:
        text, facts = asyncio.run(_export(job))
    except Exception as e:  # the parent fails the run with a message staff can act on
        out.send(("export_failed", type(e).__name__))
        return None
    # Imported and parsed before "exported" (OR-Tools takes 1-3 s to load, a district's
    # instance a fraction of a second to parse): the parent's give-up clock, started by
    # "exported", then measures the solve's own time limit and little else.
    from sandan.matching import solver  # noqa: F401

    instance: dict[str, Any] = orjson.loads(text)
    del text
    out.send(("exported", facts))
    return instance


def solve_and_answer(job: Job, instance: dict[str, Any], out: Connection, cancel: Any) -> None:
    """Solve, relaying progress; then ("done", solution JSON) or ("error", message)."""
    from sandan.matching.progress import Progress
    from sandan.matching.solver import solve

    def progress(event: Progress) -> None:
        out.send(
            (
                "progress",
                {
                    "phase": event.phase,
                    "fraction": event.fraction,
                    "best": event.best,
                    "bound": event.bound,
                    "seconds": event.seconds,
                },
            )
        )

    try:
        solution = solve(
            instance,
            time_limit=job.time_limit,
            workers=job.threads,
            seed=job.seed,
            progress=progress,
            cancel=cancel,  # a multiprocessing Event: the parent sets it, is_set() reads it
        )
    except Exception as e:  # reported to the parent as a message, never as a traceback
        out.send(("error", f"{type(e).__name__} in the solver"))
        return
    out.send(("done", orjson.dumps(solution)))


def _child(job: Job, out: Connection, cancel: Any, parent: int) -> None:
    begin(out, parent)
    instance = export(job, out)
    if instance is not None:
        solve_and_answer(job, instance, out, cancel)


# What a child process runs: (job, the pipe's writing end, the cancel Event, the parent's pid).
ChildTarget = Callable[[Job, Connection, Any, int], None]


class SolveProcess:
    """One solve in a spawned child (spawn, not fork: the parent holds an event loop and
    database connections that a forked child must not inherit)."""

    def __init__(self, job: Job, target: ChildTarget | None = None):
        ctx = multiprocessing.get_context("spawn")
        self._recv, send = ctx.Pipe(duplex=False)
        self.cancel = ctx.Event()
        self.process = ctx.Process(
            target=target or _child,
            args=(job, send, self.cancel, os.getpid()),
            name="sandan-solve",
            daemon=True,
        )
        self.process.start()
        send.close()  # the child holds the only writing end: EOF means it is gone

    def receive(self, timeout: float) -> list[tuple[str, Any]]:
        """Messages waiting now, or the first one within `timeout` (blocking: call in a thread)."""
        messages: list[tuple[str, Any]] = []
        try:
            if self._recv.poll(timeout):
                while self._recv.poll(0):
                    messages.append(self._recv.recv())
        except (EOFError, OSError):
            pass
        return messages

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    @property
    def exit_code(self) -> int | None:
        return self.process.exitcode

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self._recv.close()
