"""Same instance, seed and workers: the same solution, run after run (stats aside)."""

from __future__ import annotations

import copy
from typing import Any

from sandan.matching import solve
from sandan.matching.check import check

from .helpers import load_generator


def _comparable(sol: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(sol)
    out.pop("stats", None)
    return out


def test_village_solution_is_deterministic() -> None:
    inst = load_generator().generate("village", 2)
    first = solve(copy.deepcopy(inst), workers=2, seed=7, time_limit=60)
    second = solve(copy.deepcopy(inst), workers=2, seed=7, time_limit=60)
    assert check(inst, first).ok
    assert first["deeds"]
    assert _comparable(first) == _comparable(second)


def test_input_is_not_mutated() -> None:
    inst = load_generator().generate("village", 2)
    before = copy.deepcopy(inst)
    solve(inst, workers=1, seed=0, strategy="greedy")
    assert inst == before
