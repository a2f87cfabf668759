"""Where the parts of a split run are solved: local worker processes (`LocalPool`), or this
process (`InlineExecutor`); and a pool started before it is needed (`prestart`).

Light on imports (no numpy, no OR-Tools), so that the command line can start the workers as soon
as it has read the instance, before it imports the solver and parses: a spawned worker takes
0.7-0.8 s to import the solver, which a part's clock would otherwise pay (its clock starts when
it is handed out). On eight towns at `--time-limit 10` the first two parts lost that share of
their ~1.3 s (BENCHMARKS.md, "Short time limits").
"""

from __future__ import annotations

import importlib
import multiprocessing
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

from .timeout import register_pool, stopping

# Progress queue of this worker process (set by `_init_worker`, or by `InlineExecutor`).
_progress_queue: Any = None


def _init_worker(q: Any) -> None:
    global _progress_queue
    _progress_queue = q


def progress_queue() -> Any:
    """The queue this worker reports progress to, or None (a Dask worker: no live progress)."""
    return _progress_queue


class LocalPool(ProcessPoolExecutor):
    """Spawned worker processes (a fork of a process running solver threads is unsafe) that
    share a queue for progress reports."""

    def __init__(self, processes: int) -> None:
        register_pool(self)
        ctx = multiprocessing.get_context("spawn")
        self.progress: Any = ctx.Queue()
        self.processes = processes
        super().__init__(
            processes, mp_context=ctx, initializer=_init_worker, initargs=(self.progress,)
        )

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if stopping.is_set():
            raise RuntimeError("the solve was given up at its time limit")
        return super().submit(fn, *args, **kwargs)

    def stop_now(self) -> None:
        """Kill the worker processes: parts cut off by the time limit stop at once, rather than
        keep the pool's shutdown (and the process's exit) waiting for them."""
        # ProcessPoolExecutor offers no public way to stop a running task; its workers are here.
        for process in list((self._processes or {}).values()):
            process.terminate()
        self.shutdown(wait=False, cancel_futures=True)


class InlineExecutor(Executor):
    """Runs each part at once in this process (one worker): the same parts, budgets and merge."""

    def __init__(self) -> None:
        self.progress: Any = queue.SimpleQueue()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        global _progress_queue
        future: Future[Any] = Future()
        _progress_queue = self.progress
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        finally:
            _progress_queue = None
        return future


_warm: LocalPool | None = None
_warm_lock = threading.Lock()


def _ready() -> None:
    """A worker's first task: import what a part's solve needs, before any part arrives. By
    name: the solver imports this module, and the package allows no import cycle, not even a
    lazy one."""
    for module in WARM_UP:
        importlib.import_module(module, __package__)


# What a worker imports before its first part (the solver's modules, OR-Tools with them).
WARM_UP = (".solver", ".partbound")


def prestart(processes: int) -> None:
    """Start `processes` workers now, each importing the solver; the next `local_pool` of this
    process takes them. Any pool started before and not taken is shut down."""
    global _warm
    pool = LocalPool(processes)
    for _ in range(processes):
        pool.submit(_ready)  # a task per worker: ProcessPoolExecutor spawns one per task
    with _warm_lock:
        old, _warm = _warm, pool
    if old is not None:
        _retire(old)


def local_pool(processes: int) -> LocalPool:
    """The pre-started pool when it has `processes` workers or more, else a new one."""
    global _warm
    with _warm_lock:
        pool, _warm = _warm, None
    if pool is not None and pool.processes >= processes and not stopping.is_set():
        return pool
    if pool is not None:
        _retire(pool)
    return LocalPool(processes)


def drop_prestarted() -> None:
    """No split run will take the pre-started workers (one part, or the solve is over)."""
    global _warm
    with _warm_lock:
        pool, _warm = _warm, None
    if pool is not None:
        _retire(pool)


def _retire(pool: LocalPool) -> None:
    """Shut an unused pool down without waiting for it here. Its workers may still be starting:
    the pool's queues and locks must outlive their start (freed at once, a starting worker
    fails to attach to them and prints a traceback), so the waiting is done on a thread."""
    threading.Thread(target=pool.shutdown, args=(True,), name="sandan-retire", daemon=True).start()


def may_split(instance: Any) -> bool:
    """Whether the instance (as read, not yet checked) may fall into independent parts: it holds
    more than one town or more than one tree of cells. A town alone is one part nearly always,
    and workers it does not use would take CPU from its own start-up on a small machine."""
    cells = instance.get("cells") if isinstance(instance, dict) else None
    if not isinstance(cells, list):
        return False
    towns = roots = 0
    for cell in cells:
        if isinstance(cell, dict):
            towns += cell.get("level") == "TOWN"
            roots += cell.get("parent") is None
    return towns > 1 or roots > 1
