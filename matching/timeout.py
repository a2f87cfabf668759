"""The answer of a solve (or of one independent part) that the time limit cut off before it had
any answer of its own.

`sandan solve --time-limit T` must exit within T + 1 s, whatever the instance: on a large
instance and a very short limit, even the candidate pairs may not be ready in time. The honest
answer then is a valid one with every need unmatched for the reason `TIME_LIMIT` (give the run
more time), the sum of the needs' priorities as its bound, and a work record that says so, so
that `--replay` repeats the same answer. A split run keeps the parts that did finish.

Built from the instance as given (a dict parsed from JSON), so it needs no parsing, candidate
pairs or solver: it can be written at any moment.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, Protocol

# The time limit of a solve that names none (seconds).
DEFAULT_TIME_LIMIT = 60.0
# Reason given for each need of a cut-off run or part (see the contract's `unmatched[].reasons`).
TIME_LIMIT = "TIME_LIMIT"
# The work record of a cut-off run or part: a replay cuts it off too, without solving.
CUT_WORK: dict[str, Any] = {"cut": True}


def is_cut(work: Any) -> bool:
    return isinstance(work, dict) and work.get("cut") is True


def _priority(need: dict[str, Any]) -> int:
    value = need.get("priority", 0)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def out_of_time(instance: Any, seconds: float) -> dict[str, Any]:
    """Every need unmatched (`TIME_LIMIT`), in the instance's order; bound: their priorities."""
    raw = instance.get("needs") if isinstance(instance, dict) else None
    needs = [n for n in raw if isinstance(n, dict) and "id" in n] if isinstance(raw, list) else []
    return {
        "version": 1,
        "status": "FEASIBLE",
        "objective": {"priority": 0, "distance": 0},
        "bound": {"priority": sum(_priority(n) for n in needs)},
        "deeds": [],
        "unmatched": [{"need": n["id"], "reasons": [TIME_LIMIT]} for n in needs],
        "stats": {"seconds": round(seconds, 3), "work": dict(CUT_WORK)},
    }


class _Stoppable(Protocol):
    def stop_now(self) -> None: ...


# Worker pools alive in this process (parts.LocalPool registers each), kept here, in a module
# that imports nothing heavy, so the command line can stop them while the solver is still
# being imported.
_pools: weakref.WeakSet[Any] = weakref.WeakSet()
stopping = threading.Event()


def register_pool(pool: _Stoppable) -> None:
    _pools.add(pool)


def allow_pools() -> None:
    """A new solve begins: pools may start again (a host calling the command's `main` more than
    once, such as a test run, outlives a solve it gave up on)."""
    stopping.clear()


def stop_all_pools() -> None:
    """Kill every pool's workers and refuse new parts: the process is about to exit (the
    command line gave up waiting at the time limit) and must not wait for them."""
    stopping.set()
    for pool in list(_pools):
        pool.stop_now()
