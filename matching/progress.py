"""Progress reports handed to the caller's callback while a solve runs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    fraction: float  # 0..1, share of the time budget (or of the components) done
    best: int  # priority sum of the best solution so far
    bound: int  # proved upper bound on the priority sum
    seconds: float  # elapsed since the solve started
    phase: str  # e.g. "candidates", "exact", "greedy", "lp", "lns", "distance", "done"
