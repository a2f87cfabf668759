"""Token buckets per caller (a staff token, or the client address for the public), in memory.

Each bucket holds up to `burst` requests and refills at `rate` per second. The buckets live in
the process: with `serve --workers N` every worker keeps its own, so a caller may reach N times
the rate. Memory is bounded: at most `max_buckets` callers are tracked, and the buckets idle
longest (refilled to full, so forgetting them changes nothing) are dropped first.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        max_buckets: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.burst = max(burst, 1)
        self.max_buckets = max_buckets
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str) -> float:
        """0 if the request may go ahead (and counts it), else the seconds until it may."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.burst), updated=now)
        else:
            elapsed = max(now - bucket.updated, 0.0)
            bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate)
            bucket.updated = now
        # Re-inserted at the end: the front of the dict is always the longest idle.
        self._buckets[key] = bucket
        while len(self._buckets) > self.max_buckets:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate


def retry_after(wait: float) -> str:
    """The Retry-After header: whole seconds, at least 1."""
    return str(max(1, math.ceil(wait)))
