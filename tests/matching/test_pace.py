"""Neighbourhoods sized by what they cost (`lns._Pace`): more people holders while CP-SAT's
deterministic time says the solves are cheap, the fixed size where they are not; no round started
that could not end before the run does. The work record says so ("paced": true), and a record
made before replays with the fixed size."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest

from sandan.matching import lns, solve
from sandan.matching.instance import ReplayError
from sandan.matching.run import Run, check_work

from .helpers import fixed_work, load_generator, new_large_records, town_state


def _solved(det_time: float, wall: float = 0.1, clean: bool = True) -> Any:
    return lns._Solved(0, {}, clean, det_time, wall)


def test_cheap_solves_grow_the_neighbourhood_and_costly_ones_shrink_it_back() -> None:
    pace = lns._Pace(True)
    # Nothing merged yet: the fixed size.
    assert pace.people_holders() == lns.PEOPLE_HOLDERS_PER_HOOD
    pace.merged(_solved(lns.CHEAP_DET_TIME / 4))
    assert pace.people_holders() == lns.PEOPLE_HOLDERS_CHEAP
    # One costly solve moves the average only by its weight; a run of them brings it back.
    pace.merged(_solved(lns.CHEAP_DET_TIME * 1.5))
    assert pace.people_holders() == lns.PEOPLE_HOLDERS_CHEAP
    for _ in range(10):
        pace.merged(_solved(lns.CHEAP_DET_TIME * 1.5))
    assert pace.people_holders() == lns.PEOPLE_HOLDERS_PER_HOOD


def test_solves_the_clock_cut_do_not_size_the_next_neighbourhoods() -> None:
    # A cut solve's deterministic time depends on the machine: a replay could not repeat it.
    pace = lns._Pace(True)
    pace.merged(_solved(lns.CHEAP_DET_TIME / 4, clean=False))
    assert pace.det_avg is None
    assert pace.people_holders() == lns.PEOPLE_HOLDERS_PER_HOOD


def test_an_unpaced_search_keeps_the_fixed_size() -> None:
    pace = lns._Pace(False)
    for _ in range(5):
        pace.merged(_solved(0.0))
    assert pace.people_holders() == lns.PEOPLE_HOLDERS_PER_HOOD


def test_no_round_starts_with_less_time_left_than_the_recent_rounds_took() -> None:
    pace = lns._Pace(True)
    assert pace.too_late(lns.HOOD_MIN_LEFT)
    assert not pace.too_late(lns.HOOD_MIN_LEFT + 0.1)
    for _ in range(3):
        pace.merged(_solved(0.01, wall=3.0))
    assert pace.too_late(2.9)
    assert not pace.too_late(3.1)
    # One long round among short ones does not stop the search: the typical round decides.
    for _ in range(lns.PACE_WALLS - 1):
        pace.merged(_solved(0.01, wall=0.2))
    assert not pace.too_late(lns.HOOD_MIN_LEFT + 0.1)


def test_a_new_run_records_paced_neighbourhoods_and_its_replay_grows_them() -> None:
    d = load_generator().generate("town", 1)
    records = new_large_records(d)
    assert records
    assert all(rec.get("paced") is True for rec in records)
    work = fixed_work(d, 6, parallel=1)
    sol = solve(copy.deepcopy(d), workers=1, replay=copy.deepcopy(work))
    assert sol["stats"]["work"] == work
    # The town's neighbourhood solves are cheap: after the first, they free more people holders.
    assert sol["stats"]["lns"]["people_holders"] > lns.PEOPLE_HOLDERS_PER_HOOD
    again = solve(copy.deepcopy(d), workers=1, replay=copy.deepcopy(work))
    assert again["deeds"] == sol["deeds"]


def test_a_record_made_before_paced_neighbourhoods_replays_with_the_fixed_size() -> None:
    d = load_generator().generate("town", 1)
    work = fixed_work(d, 6, parallel=1)
    for rec in work["large"]:
        del rec["paced"]
    sol = solve(copy.deepcopy(d), workers=1, replay=copy.deepcopy(work))
    assert sol["stats"]["work"] == work  # the record given, without "paced"
    assert sol["stats"]["lns"]["people_holders"] == lns.PEOPLE_HOLDERS_PER_HOOD


@pytest.mark.parametrize("paced", [False, "true", 1, None])
def test_a_record_with_a_bad_paced_flag_is_refused_by_name(paced: Any) -> None:
    rec = {"lp": 1, "regions": 2, "dropped": [], "lns": 3, "parallel": 1, "paced": paced}
    with pytest.raises(ReplayError, match=r"large\[0\]\.paced"):
        check_work({"exact": [], "large": [rec]})


def test_a_neighbourhood_solve_never_runs_past_the_search_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What follows the search's end is the final fill's and the answer's: a round still in flight
    # there is stopped (and dropped with every later one), not left to run on to the hard end.
    prob, asg, regs = town_state(2)
    real = lns.solve_weighted
    calls: list[tuple[float, float]] = []

    def watch(prob: Any, needs: Any, left: Any, search: Any) -> Any:
        calls.append((time.monotonic(), search.time_limit))
        return real(prob, needs, left, search)

    monkeypatch.setattr(lns, "solve_weighted", watch)
    run = Run(prob.inst, time.monotonic(), 4.0, 2, 3, None, None)
    try:
        lns.lns(run, prob, regs, asg, 1e12, {})
    finally:
        run.close()
    assert calls
    # The limit is set as the round starts; its model is built (tens of ms) before CP-SAT's
    # clock starts. Before, every round had the 10 s safety net, far past a 4 s run's end.
    assert all(t + limit <= run.end + 0.25 for t, limit in calls)
    assert asg.is_consistent()
