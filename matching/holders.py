"""Which deeds of the working solution hold each resource and each person, kept up to date as
the LNS frees and merges deeds (lns.py `_add_holders` reads it).

Rebuilding both maps from every deed for each neighbourhood took 34 s of the LNS's 79 s (368
rounds, under cProfile) on a district tied by 300 district-wide people (21,452 needs, ~14,000
deeds), on the LNS's one Python thread, while a CP-SAT thread waited for its next neighbourhood.
Kept up to date, a round only touches the deeds it frees and merges (BENCHMARKS.md, "The LNS's
bookkeeping").
"""

from __future__ import annotations

from .assignment import Deed


def deed_people(d: Deed) -> tuple[int, ...]:
    """The people a deed holds: its lead (if any) and its team."""
    return (d.lead, *d.team) if d.lead >= 0 else d.team


class Holders:
    """Deeds (need indices) holding each resource and each person."""

    def __init__(self, deeds: dict[int, Deed]) -> None:
        self.of_resource: dict[int, set[int]] = {}
        self.of_person: dict[int, set[int]] = {}
        for n, d in deeds.items():
            self.add(n, d)

    def add(self, n: int, d: Deed) -> None:
        for r, _ in d.res:
            self.of_resource.setdefault(r, set()).add(n)
        for p in deed_people(d):
            self.of_person.setdefault(p, set()).add(n)

    def remove(self, n: int, d: Deed) -> None:
        for r, _ in d.res:
            self.of_resource[r].discard(n)
        for p in deed_people(d):
            self.of_person[p].discard(n)
