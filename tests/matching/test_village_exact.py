"""Generated villages solve to a proved optimum that the independent checker accepts.
(Timing belongs in benchmarks; the time limit here is only a guard against a hang.)"""

from __future__ import annotations

import pytest

from sandan.matching import solve
from sandan.matching.check import check

from .helpers import load_generator


@pytest.mark.parametrize("seed", [1, 3])
def test_village_solves_to_optimal(seed: int) -> None:
    inst = load_generator().generate("village", seed)
    sol = solve(inst, workers=2, seed=0, time_limit=120)
    assert sol["status"] == "OPTIMAL"
    report = check(inst, sol)
    assert report.ok, [str(v) for v in report.violations]
    assert sol["bound"]["priority"] == sol["objective"]["priority"] == report.priority
    assert sol["deeds"]
    assert sol["unmatched"]  # scarce: not everything fits
    assert len(sol["deeds"]) + len(sol["unmatched"]) == len(inst["needs"])


def test_greedy_is_valid_on_a_village() -> None:
    inst = load_generator().generate("village", 1)
    sol = solve(inst, workers=1, seed=0, strategy="greedy")
    assert sol["status"] in ("OPTIMAL", "FEASIBLE")
    report = check(inst, sol)
    assert report.ok, [str(v) for v in report.violations]
    assert sol["bound"]["priority"] >= sol["objective"]["priority"]
