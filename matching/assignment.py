"""The working solution: deeds by need index, and what each person and resource has left.

Every algorithm (greedy, CP-SAT neighbourhoods, repair) reads and writes one `Assignment`; keeping
the residual capacities next to the deeds makes "free these needs, re-solve them, put the answer
back" an O(size of the neighbourhood) operation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .eligibility import Arrays, IntArray


@dataclass(frozen=True)
class Deed:
    lead: int  # person index, -1 when the need has no lead
    team: tuple[int, ...]
    res: tuple[tuple[int, int], ...]  # (resource index, units)
    distance: int


class Assignment:
    """Deeds plus residual capacities (kept consistent by `add` and `remove`)."""

    def __init__(self, arr: Arrays) -> None:
        self.arr = arr
        self.deeds: dict[int, Deed] = {}
        self.lead_left: IntArray = arr.p_lead.copy()
        self.deeds_left: IntArray = arr.p_deeds.copy()
        self.hours_left: IntArray = arr.p_hours.copy()
        self.cap_left: IntArray = arr.r_cap.copy()
        self.priority = 0
        self.distance = 0

    def copy(self) -> Assignment:
        other = Assignment.__new__(Assignment)
        other.arr = self.arr
        other.deeds = dict(self.deeds)
        other.lead_left = self.lead_left.copy()
        other.deeds_left = self.deeds_left.copy()
        other.hours_left = self.hours_left.copy()
        other.cap_left = self.cap_left.copy()
        other.priority = self.priority
        other.distance = self.distance
        return other

    def with_caps(
        self, lead_left: IntArray, deeds_left: IntArray, hours_left: IntArray, cap_left: IntArray
    ) -> Assignment:
        """An empty assignment whose residual capacities are the given arrays (for sub-models)."""
        other = Assignment.__new__(Assignment)
        other.arr = self.arr
        other.deeds = {}
        other.lead_left = lead_left
        other.deeds_left = deeds_left
        other.hours_left = hours_left
        other.cap_left = cap_left
        other.priority = 0
        other.distance = 0
        return other

    def add(self, n: int, d: Deed) -> None:
        assert n not in self.deeds
        self.deeds[n] = d
        self.shift(n, d, -1)
        self.priority += int(self.arr.n_priority[n])
        self.distance += d.distance

    def remove(self, n: int) -> Deed | None:
        d = self.deeds.pop(n, None)
        if d is None:
            return None
        self.shift(n, d, 1)
        self.priority -= int(self.arr.n_priority[n])
        self.distance -= d.distance
        return d

    def shift(self, n: int, d: Deed, sign: int) -> None:
        """Moves the capacities deed `d` of need `n` uses: -1 takes them, +1 gives them back (or,
        from zero arrays, counts the use: lns._usage). The deeds themselves are not touched."""
        h = int(self.arr.n_hours[n])
        if d.lead >= 0:
            self.lead_left[d.lead] += sign
        for p in d.team:
            self.deeds_left[p] += sign
            self.hours_left[p] += sign * h
        for r, q in d.res:
            self.cap_left[r] += sign * q

    def is_consistent(self) -> bool:
        return bool(
            (self.lead_left >= 0).all()
            and (self.deeds_left >= 0).all()
            and (self.hours_left >= 0).all()
            and (self.cap_left >= 0).all()
        )


def total(values: IntArray) -> int:
    return int(np.asarray(values).sum())
