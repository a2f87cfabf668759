"""The solve in a child process: CPU-bound, GIL-holding work never runs in the event loop's.

The child runs `sandan.matching.solve` with the solver's own progress callback and cancel
hook, and talks to its parent through a pipe: ("progress", dict) a few times a second, then
("done", solution JSON bytes) or ("error", message). It exits by itself when its parent dies
(a SIGKILLed worker must not leave a solver burning a core until its time limit).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
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


def _child(
    instance: bytes,
    time_limit: float,
    seed: int,
    threads: int,
    out: Connection,
    cancel: Any,
    parent: int,
) -> None:
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    # The solve is background work: on a small machine the API's requests (and the database)
    # must get the CPU first. Parts of the solver use more than one thread (the LP of a large
    # component solves two parts at a time), which would otherwise stall the server for seconds.
    os.nice(NICENESS)
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
            orjson.loads(instance),
            time_limit=time_limit,
            workers=threads,
            seed=seed,
            progress=progress,
            cancel=cancel,  # a multiprocessing Event: the parent sets it, is_set() reads it
        )
    except Exception as e:  # reported to the parent as a message, never as a traceback
        out.send(("error", f"{type(e).__name__} in the solver"))
        return
    out.send(("done", orjson.dumps(solution)))


class SolveProcess:
    """One solve in a spawned child (spawn, not fork: the parent holds an event loop and
    database connections that a forked child must not inherit)."""

    def __init__(self, instance: bytes, time_limit: float, seed: int, threads: int):
        ctx = multiprocessing.get_context("spawn")
        self._recv, send = ctx.Pipe(duplex=False)
        self.cancel = ctx.Event()
        self.process = ctx.Process(
            target=_child,
            args=(
                instance,
                time_limit,
                seed,
                threads,
                send,
                self.cancel,
                os.getpid(),
            ),
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
