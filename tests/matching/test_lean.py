"""CP-SAT's lean settings for the region and neighbourhood solves (`cpsat.Search.lean`): a new
run uses them and says so in its work record; a record made before them replays without them,
so that a run stored by the runs API still gives its own answer."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sandan.matching import cpsat, solve
from sandan.matching.instance import ReplayError
from sandan.matching.run import check_work

from .helpers import fixed_work, load_generator, new_large_records


def _lean_flags(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The `lean` flag of every region and neighbourhood solve from now on (the real CP-SAT
    still runs: this only watches its settings)."""
    seen: list[bool] = []
    real = cpsat._params

    def watch(*args: Any, **kwargs: Any) -> None:
        if kwargs.get("light"):
            seen.append(bool(kwargs.get("lean", False)))
        real(*args, **kwargs)

    monkeypatch.setattr(cpsat, "_params", watch)
    return seen


def test_a_new_run_records_the_lean_settings_and_its_replay_uses_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    d = load_generator().generate("town", 1)
    records = new_large_records(d)
    assert records
    assert all(rec.get("lean") is True for rec in records)
    seen = _lean_flags(monkeypatch)
    work = fixed_work(d, 3, parallel=1)
    sol = solve(copy.deepcopy(d), workers=1, replay=copy.deepcopy(work))
    assert sol["stats"]["work"] == work
    assert seen and all(seen)


def test_a_record_made_before_the_lean_settings_replays_without_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    d = load_generator().generate("town", 1)
    work = fixed_work(d, 3, parallel=1)
    for rec in work["large"]:
        del rec["lean"]
    seen = _lean_flags(monkeypatch)
    sol = solve(copy.deepcopy(d), workers=1, replay=copy.deepcopy(work))
    assert sol["stats"]["work"] == work  # the record given, without "lean"
    assert seen and not any(seen)


@pytest.mark.parametrize("lean", [False, "true", 1, None])
def test_a_record_with_a_bad_lean_flag_is_refused_by_name(lean: Any) -> None:
    rec = {"lp": 1, "regions": 2, "dropped": [], "lns": 3, "parallel": 1, "lean": lean}
    with pytest.raises(ReplayError, match=r"large\[0\]\.lean"):
        check_work({"exact": [], "large": [rec]})
