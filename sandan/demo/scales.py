"""Sizes the generator knows: tiny (tests), town (the demo, 九江镇), district (all of Nanhai)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sandan.demo.names import TOWNS

Range = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Scale:
    # (name, code, number of villages, is a subdistrict 街道)
    towns: tuple[tuple[str, str, int, bool], ...]
    branches_per_village: Range
    groups_per_branch: Range
    members_per_group: Range
    households_per_member: Range
    needs_per_branch: Range
    resources_per_branch: Range
    # Exact totals (the real district figures); None = draw each count from its range.
    branches_total: int | None = None
    groups_total: int | None = None
    members_total: int | None = None
    deed_share: float = 0.02  # of the needs; "a few dozen" for the town
    min_deeds: int = 3
    visit_share: float = 0.3  # of the households, visited once to three times
    enterprises_per_town: int = 5


SCALES: dict[str, Scale] = {
    "tiny": Scale(
        towns=(("九江镇", "JJ", 2, False),),
        branches_per_village=(2, 2),
        groups_per_branch=(2, 2),
        members_per_group=(3, 4),
        households_per_member=(1, 2),
        needs_per_branch=(3, 3),
        resources_per_branch=(5, 5),
        deed_share=0.25,
        enterprises_per_town=1,
    ),
    "town": Scale(
        towns=(TOWNS[0],),
        branches_per_village=(5, 9),
        groups_per_branch=(2, 3),
        members_per_group=(9, 13),
        households_per_member=(5, 8),
        needs_per_branch=(8, 12),
        resources_per_branch=(3, 6),
    ),
    "district": Scale(
        towns=TOWNS,
        branches_per_village=(5, 9),
        groups_per_branch=(2, 3),
        members_per_group=(9, 13),
        households_per_member=(4, 6),
        needs_per_branch=(7, 12),
        resources_per_branch=(3, 6),
        branches_total=2123,
        groups_total=5052,
        members_total=56000,
        deed_share=0.02,
        visit_share=0.25,
    ),
}


def allocate(rng: random.Random, n: int, bounds: Range, total: int | None) -> list[int]:
    """n counts within bounds; when total is given they sum to it exactly."""
    lo, hi = bounds
    if total is None:
        return [rng.randint(lo, hi) for _ in range(n)]
    if not n * lo <= total <= n * hi:
        raise ValueError(f"cannot split {total} into {n} counts within {bounds}")
    counts = [lo] * n
    remaining = total - n * lo
    while remaining:
        i = rng.randrange(n)
        if counts[i] < hi:
            counts[i] += 1
            remaining -= 1
    return counts
