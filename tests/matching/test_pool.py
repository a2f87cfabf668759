"""Worker processes started before the instance is read (pool.py): a split run takes them, a run
of one part drops them, and the answer is the one a pool started late gives."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from sandan.matching import pool, solve, solver
from sandan.matching.cli import main

from .helpers import CELLS, CELLS_FOREST, independent_towns, load_generator


@pytest.mark.parametrize(
    ("instance", "expected"),
    [
        ({"version": 1, "cells": CELLS}, False),  # one town
        ({"version": 1, "cells": CELLS_FOREST}, True),  # two trees
        (
            {
                "cells": [
                    {"id": "D", "parent": None, "level": "DISTRICT"},
                    {"id": "T1", "parent": "D", "level": "TOWN"},
                    {"id": "T2", "parent": "D", "level": "TOWN"},
                ]
            },
            True,
        ),
        ({"cells": "not a list"}, False),
        ([1, 2, 3], False),
        ({"cells": [None, 3, {"level": "TOWN"}]}, False),
    ],
)
def test_workers_are_started_early_only_for_what_may_split(instance: Any, expected: bool) -> None:
    assert pool.may_split(instance) is expected


def test_a_started_pool_is_taken_once_and_only_when_large_enough() -> None:
    pool.prestart(2)
    warm = pool._warm
    taken = pool.local_pool(2)
    again = pool.local_pool(2)  # the next run starts its own
    try:
        assert taken is warm
        assert again is not taken
    finally:
        taken.shutdown(wait=True)
        again.shutdown(wait=True)
    pool.prestart(1)
    small = pool.local_pool(2)  # one worker is too few: dropped, a new pool of two instead
    try:
        assert small.processes == 2
    finally:
        small.shutdown(wait=True)
    pool.prestart(2)
    dropped = pool._warm
    pool.drop_prestarted()
    fresh = pool.local_pool(2)
    try:
        assert fresh is not dropped
    finally:
        fresh.shutdown(wait=True)


def test_the_command_s_split_run_takes_the_early_workers_and_gives_the_same_answer(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = independent_towns(3)
    path = tmp_path / "towns.json"
    path.write_text(json.dumps(d))
    out = tmp_path / "sol.json"
    taken: list[Any] = []
    real = pool.local_pool

    def spy(processes: int) -> Any:
        warm = pool._warm
        got = real(processes)
        taken.append(got is warm)
        return got

    monkeypatch.setattr(solver, "local_pool", spy)  # the split run's, as solver.py named it
    code = main(["solve", str(path), "--time-limit", "8", "--workers", "2", "-o", str(out)])
    assert code == 0
    assert taken == [True]
    assert pool._warm is None
    sol = json.loads(out.read_text())
    assert len(sol["stats"]["work"]["parts"]) == 3
    # The same work in a pool started when the parts were found: the same answer.
    again = solve(copy.deepcopy(d), workers=2, replay=sol["stats"]["work"])
    assert {k: v for k, v in again.items() if k != "stats"} == {
        k: v for k, v in sol.items() if k != "stats"
    }


def test_a_run_of_one_part_drops_the_early_workers(tmp_path: Any) -> None:
    d = load_generator().generate("village", 1)
    path = tmp_path / "village.json"
    path.write_text(json.dumps(d))
    pool.prestart(2)  # as the command would for an instance that looked splittable
    assert pool._warm is not None
    sol = solve(copy.deepcopy(d), workers=2, time_limit=5)
    assert sol["status"] in ("OPTIMAL", "FEASIBLE")
    assert pool._warm is None  # dropped, not left holding two processes
