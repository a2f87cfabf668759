"""The state of one solver run: clock, stop signal, progress reports, stats, and the work record.

Every stage (exact batches, LP, decomposition, LNS) reads the run for its time left and its seed,
and writes what it did into `work`: how many decomposition regions and LNS rounds each large
component got, and how each exact batch ended. The wall clock only decides *how much* work is
done; given the same work record (`replay`), every stage stops at the same point on any machine,
however fast, so the answer is reproduced exactly.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from .bounds import trivial_bound
from .instance import Instance, ReplayError
from .problem import Problem
from .progress import Progress
from .timeout import is_cut

# Work record of a run (stored in the solution's `stats.work`): one code per exact batch (see
# `EXACT_*`) and, per large component in component order, {"lp": LP parts solved, "priced":
# pricing rounds per LP part (lp.py; absent in records made before pricing), "regions": k,
# "lns": m, "parallel": p, "dropped": [...], "lean": true (CP-SAT's lean settings, absent in
# records made before them; component.py), "paced": true (neighbourhoods sized by what they
# cost, lns.py; absent in records made before)}. A split run
# records {"parts": [one record per part], "bounds": whether the bounds phase ran}; a run or part
# the time limit cut off before any answer records {"cut": true} (timeout.py), and one whose
# candidate pairs it cut short, "candidates": how many needs got theirs (chunked.py); one the
# pair budget capped, "max_pairs": that budget (budget.py).
Work = dict[str, Any]
EXACT_SKIPPED = 0  # the batch kept its greedy answer (no time, or the solve was cut short)
EXACT_PRIORITY = 1  # priority proved optimal; the distance phase did not finish
EXACT_BOTH = 2  # both objective levels proved
# Wall-clock cap on a sub-solve when replaying: none binds, the recorded work decides.
UNLIMITED = 1e9


def empty_work() -> Work:
    return {"exact": [], "large": []}


def _whole(value: Any, low: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def check_work(work: Any, path: str = "work") -> None:
    """Raise `ReplayError` unless `work` has the shape of a work record (see `Work`).

    A replay ignores the clock, so an entry it cannot follow (a component's record `null`, a
    count that is not a number) would otherwise fail deep in a stage, or run a stage unbounded."""
    if not isinstance(work, dict):
        raise ReplayError(f"{path} must be an object")
    if is_cut(work):
        return
    if "parts" in work:
        if not isinstance(work.get("bounds", True), bool):
            raise ReplayError(f"{path}.bounds must be true or false")
        parts = work["parts"]
        if not isinstance(parts, list):
            raise ReplayError(f"{path}.parts must be a list")
        for i, part in enumerate(parts):
            check_work(part, f"{path}.parts[{i}]")
        return
    if "candidates" in work and not _whole(work["candidates"], 0):
        raise ReplayError(f"{path}.candidates must be a count of needs")
    if "max_pairs" in work and not _whole(work["max_pairs"], 1):
        raise ReplayError(f"{path}.max_pairs must be a positive count of pairs")
    exact, large = work.get("exact"), work.get("large")
    if not isinstance(exact, list) or not all(_whole(c, 0) and c <= EXACT_BOTH for c in exact):
        raise ReplayError(f"{path}.exact must be a list of codes 0-{EXACT_BOTH}")
    if not isinstance(large, list):
        raise ReplayError(f"{path}.large must be a list")
    for i, rec in enumerate(large):
        where = f"{path}.large[{i}]"
        if not isinstance(rec, dict):
            raise ReplayError(f"{where} must be an object")
        dropped = rec.get("dropped")
        if not (
            _whole(rec.get("lp"), 0)
            and _whole(rec.get("regions"), -1)
            and _whole(rec.get("lns"), 0)
            and _whole(rec.get("parallel"), 1)
            and isinstance(dropped, list)
            and all(_whole(r, 0) for r in dropped)
        ):
            raise ReplayError(f"{where} must hold counts lp, regions, lns, parallel and dropped")
        priced = rec.get("priced", [])
        if not (
            isinstance(priced, list)
            and len(priced) <= rec["lp"]
            and all(_whole(r, 0) for r in priced)
        ):
            raise ReplayError(f"{where}.priced must list a count of pricing rounds per LP part")
        if "fill" in rec and not _whole(rec["fill"], 0):
            raise ReplayError(f"{where}.fill must be a count of needs")
        for flag in ("lean", "paced"):
            if flag in rec and rec[flag] is not True:
                raise ReplayError(f"{where}.{flag} must be true when given")


class Run:
    """Clock, stop signal, seed and records shared by the stages of one solve."""

    def __init__(
        self,
        inst: Instance,
        t0: float,
        limit: float,
        workers: int,
        seed: int,
        progress: Callable[[Progress], None] | None,
        cancel: threading.Event | None,
        replay: Work | None = None,
    ) -> None:
        self.inst = inst
        self.t0 = t0
        self.limit = limit
        self.replay = replay
        # Writing the answer (reasons, explanations) takes time too: stop searching early enough.
        # Measured on the district (21,205 needs): the last LNS round and the final fill end 1.2 s
        # after the deadline and the answer takes 1.5 s, 1.3e-4 s a need; twice that is kept.
        # The fixed 0.8 s: a stage in flight at the end (an LP being built, a round) on a busy
        # host; with 0.3 s a town (2,217 needs) at --time-limit 8 ended at 8.5-8.6 s twice.
        self.keep(min(0.25 * limit, 0.8 + 2.5e-4 * len(inst.needs)))
        self.workers = workers
        self.seed = seed
        self.progress_cb = progress
        self.user_cancel = cancel
        # Set on the user's cancel or at the deadline: running sub-solves stop at once.
        self.halt = threading.Event()
        self.stats: dict[str, Any] = {}
        self.work: Work = empty_work()
        self.bound_offset = 0.0  # added to component bounds in progress reports
        self.phase = "candidates"
        self.last_report = 0.0
        self._trivial: np.ndarray | None = None
        # Needs the clock left without candidate pairs (chunked.py), and their priority sum.
        self.cut = np.zeros(len(inst.needs), dtype=bool)
        self.cut_priority = 0.0
        # Needs the pair budget left without some of their pairs (budget.py): every bound built
        # on the pairs kept counts them in full on top (`capped_of`).
        self.capped = np.zeros(len(inst.needs), dtype=bool)
        self._capped_priority = np.zeros(len(inst.needs), dtype=np.float64)
        self.max_pairs: int | None = None  # the pair budget where not replaying (budget.py)
        self._watcher: threading.Thread | None = None
        if cancel is not None or replay is None:
            self._watcher = threading.Thread(target=self._watch, daemon=True)
            self._watcher.start()

    def keep(self, reserve: float) -> None:
        """Stop searching `reserve` seconds before the limit, for what follows the search."""
        # `end`: the search stops for good; `deadline`: the current stage's end (a component's
        # share of the time), never after `end`.
        self.end = math.inf if self.replay is not None else self.t0 + self.limit - reserve
        self.deadline = self.end
        # Sub-solves still running this long after `end` are stopped (their work is dropped):
        # neighbourhoods in flight at the end usually finish within it.
        self.hard_end = self.end + 0.5 * reserve

    def keep_more(self, seconds: float) -> None:
        """Stop searching `seconds` earlier still (never later than now set), within the cap
        `keep` puts on the whole reserve."""
        if self.replay is not None:
            return
        reserve = self.t0 + self.limit - self.end
        more = max(0.0, min(seconds, 0.25 * self.limit - reserve))
        self.end -= more
        self.deadline = min(self.deadline, self.end)
        self.hard_end = self.end + 0.5 * (reserve + more)

    def _watch(self) -> None:
        while not self.halt.is_set():
            if (self.user_cancel is not None and self.user_cancel.is_set()) or (
                time.monotonic() >= self.hard_end
            ):
                self.halt.set()
                return
            time.sleep(0.02)

    def close(self) -> None:
        """Stop the watcher thread (the run is over)."""
        self.halt.set()
        if self._watcher is not None:
            self._watcher.join()

    # ------------------------------------------------------------------ clock
    def left(self) -> float:
        return min(self.deadline, self.end) - time.monotonic()

    def until(self, deadline: float) -> None:
        """Give the stages that follow until `deadline` (capped by the run's end)."""
        self.deadline = min(deadline, self.end)

    def stopped(self) -> bool:
        return (
            self.halt.is_set()
            or self.left() <= 0
            or (self.user_cancel is not None and self.user_cancel.is_set())
        )

    def past_hard_end(self) -> bool:
        """Past the moment sub-solves in flight are stopped: what is left is for the answer."""
        return self.replay is None and time.monotonic() > self.hard_end

    def cap(self, seconds: float) -> float:
        """A sub-solve's wall-clock limit: `seconds` when timed, none binding when replaying."""
        return UNLIMITED if self.replay is not None else seconds

    # ------------------------------------------------------------------ work record
    def replayed(self, kind: str, index: int) -> Any:
        """The recorded outcome of the `index`-th step of `kind`, or None when not replaying."""
        if self.replay is None:
            return None
        steps = self.replay.get(kind, [])
        if index >= len(steps):
            raise ReplayError(f"the work record has no {kind} step {index}: not from this instance")
        return steps[index]

    # ------------------------------------------------------------------ cut-off needs
    def cut_off(self, cut: np.ndarray, priority: np.ndarray) -> None:
        """Record the needs left without pairs: their reason is TIME_LIMIT, and every bound
        counts their whole priority (nothing was proved about them)."""
        self.cut = cut
        self.cut_priority = float(priority[cut].sum())

    def cap_off(self, capped: np.ndarray, priority: np.ndarray) -> None:
        """Record the needs that lost pairs to the budget (budget.py)."""
        self.capped = capped
        self._capped_priority = np.where(capped, priority, 0).astype(np.float64)

    def capped_of(self, needs: list[int] | range | np.ndarray) -> float:
        """What a bound over the pairs kept (an LP's, CP-SAT's) adds to hold for all pairs: the
        priority of the capped ones among `needs`. The others lost no pair, so whatever all
        pairs give them, the pairs kept could give them too."""
        return float(self._capped_priority[np.asarray(needs, dtype=np.int64)].sum())

    def is_cut(self, need: int) -> bool:
        return bool(self.cut[need])

    def not_cut(self) -> np.ndarray:
        return np.flatnonzero(~self.cut)

    # ------------------------------------------------------------------ reports
    def alone_bound(self, prob: Problem, needs: list[int] | range | np.ndarray) -> float:
        """Sum of priorities of the needs passing every single-need check: a cheap valid bound
        (a need cut off or capped counts in full: its pairs are not all there to check)."""
        if self._trivial is None:
            unchecked = self.cut | self.capped
            self._trivial = np.where(unchecked, prob.arr.n_priority, trivial_bound(prob))
        return float(self._trivial[np.asarray(needs, dtype=np.int64)].sum())

    def report(self, phase: str, best: int, bound: float, force: bool = False) -> None:
        self.phase = phase
        now = time.monotonic()
        if self.progress_cb is None or (not force and now - self.last_report < 0.25):
            return
        self.last_report = now
        elapsed = now - self.t0
        self.progress_cb(
            Progress(
                fraction=min(1.0, elapsed / self.limit) if phase != "done" else 1.0,
                best=int(best),
                bound=int(self.bound_offset + self.cut_priority + bound + 1e-6),
                seconds=elapsed,
                phase=phase,
            )
        )
