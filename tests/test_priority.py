"""The priority rule (resolvers/priority.py): in range, and monotone in every input."""

from __future__ import annotations

import itertools
from dataclasses import asdict, replace
from datetime import date

import pytest

from sandan.db.enums import MatterScale, Urgency
from sandan.resolvers.priority import NeedFacts, days_waiting, priority

URGENCIES = [Urgency.LOW, Urgency.MEDIUM, Urgency.HIGH, Urgency.CRITICAL]
FLAGS = ("elderly_alone", "disability", "low_income")
WAITS = [0, 1, 8, 9, 30, 89, 90, 91, 365, 10_000]


def _all_facts() -> list[NeedFacts]:
    bools = (False, True)
    return [
        NeedFacts(u, s, e, d, low, w)
        for u, s, e, d, low, w in itertools.product(
            URGENCIES, list(MatterScale), bools, bools, bools, WAITS
        )
    ]


def test_always_a_positive_integer_up_to_100() -> None:
    values = [priority(f) for f in _all_facts()]
    assert all(isinstance(v, int) and 1 <= v <= 100 for v in values)
    assert max(values) == 100 and min(values) == 10


@pytest.mark.parametrize("facts", _all_facts()[::7])
def test_more_urgent_never_lowers_priority(facts: NeedFacts) -> None:
    rank = URGENCIES.index(facts.urgency)
    for higher in URGENCIES[rank + 1 :]:
        assert priority(replace(facts, urgency=higher)) > priority(facts)


@pytest.mark.parametrize("flag", FLAGS)
def test_each_vulnerability_flag_raises_priority(flag: str) -> None:
    for facts in _all_facts():
        if not getattr(facts, flag):
            assert priority(NeedFacts(**{**asdict(facts), flag: True})) > priority(facts)


def test_waiting_longer_never_lowers_priority() -> None:
    for facts in _all_facts():
        for longer in (w for w in WAITS if w > facts.days_waiting):
            assert priority(replace(facts, days_waiting=longer)) >= priority(facts)


def test_waiting_counts_but_is_capped() -> None:
    base = NeedFacts(Urgency.MEDIUM, MatterScale.SMALL)
    assert priority(replace(base, days_waiting=90)) == priority(base) + 10
    assert priority(replace(base, days_waiting=10_000)) == priority(base) + 10
    assert priority(replace(base, days_waiting=-5)) == priority(base)


def test_major_matters_rank_above_small_ones() -> None:
    for facts in _all_facts():
        if facts.scale is MatterScale.SMALL:
            assert priority(replace(facts, scale=MatterScale.MAJOR)) > priority(facts)


def test_urgency_outweighs_one_flag_but_not_three() -> None:
    # The documented trade-off: a HIGH need beats a MEDIUM one with one vulnerability flag,
    # while a MEDIUM need of an elderly, disabled, low-income household beats a plain HIGH one.
    medium = NeedFacts(Urgency.MEDIUM, MatterScale.SMALL)
    high = NeedFacts(Urgency.HIGH, MatterScale.SMALL)
    assert priority(high) > priority(replace(medium, elderly_alone=True))
    vulnerable = replace(medium, elderly_alone=True, disability=True, low_income=True)
    assert priority(vulnerable) > priority(high)


def test_days_waiting() -> None:
    assert days_waiting(date(2026, 3, 1), date(2026, 5, 1)) == 61
    assert days_waiting(date(2026, 5, 1), date(2026, 5, 1)) == 0
    assert days_waiting(date(2026, 6, 1), date(2026, 5, 1)) == 0  # reported after the start
