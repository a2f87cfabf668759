"""Settings a work record keeps, so that a run stored by the runs API before a setting changed
still replays to its own answer: CP-SAT's lean settings for the region and neighbourhood solves
(`cpsat.Search.lean`) and the deeds holding people freed per LNS neighbourhood
(`lns.PEOPLE_HOLDERS_PER_HOOD`). A new run uses the current ones and records them; a record
without them replays with those of before."""

from __future__ import annotations

import copy
import threading
from typing import Any

import pytest

from sandan.matching import cpsat, lns, solve
from sandan.matching.instance import ReplayError
from sandan.matching.run import check_work

from .helpers import fixed_work, load_generator


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
    cancel = threading.Event()
    cancel.set()  # the record's shape is written before any search
    shape = solve(copy.deepcopy(d), cancel=cancel)
    assert shape["stats"]["work"]["large"]
    assert all(rec.get("lean") is True for rec in shape["stats"]["work"]["large"])
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


def _people_limits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The people holders each LNS neighbourhood may free, from now on."""
    seen: list[int] = []
    real = lns._add_holders

    def watch(*args: Any) -> list[list[int]]:
        seen.append(args[5])  # people_limit
        return real(*args)

    monkeypatch.setattr(lns, "_add_holders", watch)
    return seen


def test_a_new_run_records_its_people_holders_and_a_replay_uses_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    d = load_generator().generate("town", 1)
    cancel = threading.Event()
    cancel.set()
    shape = solve(copy.deepcopy(d), cancel=cancel)
    large = shape["stats"]["work"]["large"]
    assert large and all(rec["people_holders"] == lns.PEOPLE_HOLDERS_PER_HOOD for rec in large)
    work = fixed_work(d, 3, parallel=1)
    for rec in work["large"]:
        rec["people_holders"] = 7
    seen = _people_limits(monkeypatch)
    sol = solve(copy.deepcopy(d), workers=1, replay=copy.deepcopy(work))
    assert sol["stats"]["work"] == work
    assert seen == [7, 7, 7]


def test_a_record_made_before_people_holders_were_recorded_replays_with_40(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    d = load_generator().generate("town", 1)
    work = fixed_work(d, 3, parallel=1)
    for rec in work["large"]:
        del rec["people_holders"]
    seen = _people_limits(monkeypatch)
    sol = solve(copy.deepcopy(d), workers=1, replay=copy.deepcopy(work))
    assert sol["stats"]["work"] == work  # the record given, without "people_holders"
    assert seen == [40, 40, 40] and lns.PEOPLE_HOLDERS_PER_HOOD != 40


@pytest.mark.parametrize(
    ("key", "value"),
    [("lean", False), ("lean", "true"), ("lean", 1), ("lean", None)]
    + [("people_holders", v) for v in (-1, 2.5, "40", True, None)],
)
def test_a_record_with_a_bad_setting_is_refused_by_name(key: str, value: Any) -> None:
    rec = {"lp": 1, "regions": 2, "dropped": [], "lns": 3, "parallel": 1, key: value}
    with pytest.raises(ReplayError, match=rf"large\[0\]\.{key}"):
        check_work({"exact": [], "large": [rec]})
