"""A least-recently-used cache bounded by the bytes its entries hold, not by their number.

A bound on entries alone lets a client pin entries × the largest input it may send (512 plans
of 5 MB documents); here every entry is weighed when it is stored and the oldest go first.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

# A parsed document holds ~116 bytes of Python objects per character of its text (measured
# with tracemalloc on a 96 kB document); plans and checked documents are weighed by this.
BYTES_PER_CHARACTER = 128
ENTRY_OVERHEAD = 2048


def document_weight(query: str) -> int:
    """The bytes a parsed (and planned) document of this text holds, about."""
    return len(query) * BYTES_PER_CHARACTER + ENTRY_OVERHEAD


K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def __contains__(self, key: K) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def put(self, key: K, value: V, weight: int) -> None:
        """Store `value` weighing `weight` bytes; one heavier than the whole cache is not kept."""
        if weight > self.max_bytes:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= old[1]
        self._entries[key] = (value, weight)
        self.bytes += weight
        while self.bytes > self.max_bytes:
            _, (_, dropped) = self._entries.popitem(last=False)
            self.bytes -= dropped
