"""The server's priority rule: how much fulfilling a need is worth to the optimiser (1..100).

The optimiser maximises the sum of priorities over fulfilled needs, so the points below are what
one need is traded against another. The rule is additive and every term is non-decreasing in its
input, so a need never loses priority by becoming more urgent, more vulnerable or older:

- urgency (the 急难愁盼 ranking): LOW 10, MEDIUM 25, HIGH 40, CRITICAL 60 points. Urgency
  dominates, but a need one band lower from a very vulnerable household can overtake one band up;
- vulnerability of the household the need came from: 8 points for each flag (elderly living
  alone, disability, low income), up to 24;
- waiting: 1 point per 9 full days between `reported_on` and the period's start, up to 10 points
  (90 days), so that old needs are not passed over run after run;
- matter scale: a MAJOR matter (the deliberation council's, touching many households) 6 points,
  a SMALL one 0.

The maximum is 60 + 24 + 10 + 6 = 100 and the minimum 10, so the result is always in 1..100.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sandan.db.enums import MatterScale, Urgency

URGENCY_POINTS: dict[Urgency, int] = {
    Urgency.LOW: 10,
    Urgency.MEDIUM: 25,
    Urgency.HIGH: 40,
    Urgency.CRITICAL: 60,
}
VULNERABILITY_POINTS = 8  # per flag
WAITING_DAYS_PER_POINT = 9
WAITING_MAX_POINTS = 10
SCALE_POINTS: dict[MatterScale, int] = {MatterScale.SMALL: 0, MatterScale.MAJOR: 6}
MIN_PRIORITY = 1
MAX_PRIORITY = 100


@dataclass(frozen=True)
class NeedFacts:
    """What the rule reads about one need (all of it non-personal once reduced to flags)."""

    urgency: Urgency
    scale: MatterScale
    elderly_alone: bool = False
    disability: bool = False
    low_income: bool = False
    days_waiting: int = 0


def days_waiting(reported_on: date, period_start: date) -> int:
    """Full days from the report to the period's start; 0 for a need reported later."""
    return max(0, (period_start - reported_on).days)


def priority(facts: NeedFacts) -> int:
    """The need's priority, an integer in 1..100 (see the module docstring for the points)."""
    flags = sum((facts.elderly_alone, facts.disability, facts.low_income))
    waiting = min(max(facts.days_waiting, 0) // WAITING_DAYS_PER_POINT, WAITING_MAX_POINTS)
    points = (
        URGENCY_POINTS[facts.urgency]
        + VULNERABILITY_POINTS * flags
        + waiting
        + SCALE_POINTS[facts.scale]
    )
    # The points above already stay in range; the clamp guards future edits of the tables.
    return max(MIN_PRIORITY, min(MAX_PRIORITY, points))
