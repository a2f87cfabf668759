"""Solving children that overrun, for tests of the worker's give-up (tests/runs/test_give_up.py).

Each runs in a real spawned process in place of the worker's own child (RunWorker(child=...)),
built from that child's own steps (begin, export, solve_and_answer): only the overrun is made
up. This module imports little, so that a spawned child starts quickly."""

from __future__ import annotations

import os
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sandan.resolvers.runs.solve_process import Job, begin, export, solve_and_answer

SIZES = {"needs": 3, "people": 2, "resources": 1, "resource_pins": [], "skipped": 0}


def never_stops(pid_file: str, job: Job, out: Connection, cancel: Any, parent: int) -> None:
    """A solve that hangs past its limit and ignores the stop (a hung native call): it says it
    has exported, then sleeps for ever. Its pid goes to `pid_file` so the test can look for it."""
    Path(pid_file).write_text(str(os.getpid()))
    begin(out, parent)  # also exits with its parent, should the test fail before killing it
    out.send(("exported", {**SIZES, "export_seconds": 0.0}))
    while True:
        time.sleep(1.0)


def stops_when_asked(job: Job, out: Connection, cancel: Any, parent: int) -> None:
    """A solve that overruns until asked to stop, then answers: the real export, nothing until
    the cancel is set, then the real solver (which, cancelled, returns its greedy answer)."""
    begin(out, parent)
    instance = export(job, out)
    if instance is None:
        return
    cancel.wait()
    solve_and_answer(job, instance, out, cancel)
