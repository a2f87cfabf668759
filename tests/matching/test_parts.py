"""Independent parts: found from the cell tree, solved side by side, merged in a fixed order; and
any run repeated exactly from its work record."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from sandan.matching import parse_instance, solve
from sandan.matching.check import check
from sandan.matching.cli import main
from sandan.matching.parts import split
from sandan.matching.tree import Tree

from .helpers import fixed_work, independent_towns, load_generator


def _comparable(sol: dict[str, Any]) -> str:
    """The answer without `stats` (timings), as bytes would be written."""
    return json.dumps({k: v for k, v in sol.items() if k != "stats"}, indent=2)


def test_parts_follow_the_cell_tree() -> None:
    d = independent_towns(2)
    inst = parse_instance(d)
    parts = split(inst, Tree(inst))
    assert len(parts) == 2
    for part, town in zip(parts, ("T1", "T2"), strict=True):
        assert {d["needs"][n]["cell"].split("-")[0] for n in part.needs.tolist()} == {town}
        assert {d["people"][p]["cell"].split("-")[0] for p in part.people.tolist()} == {town}
    assert sum(len(p.needs) for p in parts) == len(d["needs"])
    tied = parse_instance(independent_towns(2, tied=True))
    assert len(split(tied, Tree(tied))) == 1  # a district-wide resource reaches every need


class _Held(ThreadPoolExecutor):
    """Runs parts two at a time; part 0 ends only once part `after` has, so they end out of
    their order (held on a condition, not a delay: the same order however loaded the machine)."""

    def __init__(self, after: int) -> None:
        super().__init__(2)
        self.after = after
        self.ended = [threading.Event() for _ in range(3)]
        self.order: list[int] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if "index" not in args[0]:  # a part's bound before the search: not held
            return super().submit(fn, *args, **kwargs)
        index = args[0]["index"]

        def held() -> Any:
            out = fn(*args, **kwargs)
            if index == 0:
                self.ended[self.after].wait(timeout=300)
            self.order.append(index)
            self.ended[index].set()
            return out

        return super().submit(held)


@pytest.fixture(scope="module")
def timed_run() -> tuple[dict[str, Any], dict[str, Any]]:
    """Three independent towns solved side by side in two local processes; the work is fixed
    (each town's LP, its regions and two LNS rounds), not what fits in a time limit."""
    d = independent_towns(3)
    work = fixed_work(d, lns_rounds=2, parallel=1)
    sol = solve(copy.deepcopy(d), workers=2, seed=4, replay=work)
    assert check(d, sol).ok
    assert sol["stats"]["work"] == work
    return d, sol


def test_parts_are_solved_in_full_and_the_bound_adds_up(
    timed_run: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    d, sol = timed_run
    work = sol["stats"]["work"]["parts"]
    assert len(work) == 3
    # Each town is one large component: it got its LP and its search, and the bound of the whole
    # is the sum of the towns' LP bounds (not the single-need bound, far above).
    assert all(len(w["large"]) == 1 and w["large"][0]["lp"] == 1 for w in work)
    assert sum(w["large"][0]["lns"] for w in work) > 0  # rounds that a replay must repeat
    # The rest are small components, whose proved optima add a little.
    lp = sum(p["lp"][0]["bound"] for p in sol["stats"]["parts"])
    assert lp - 3 <= sol["bound"]["priority"] <= 1.02 * lp
    assert sol["bound"]["priority"] < 0.9 * sum(n["priority"] for n in d["needs"])


def test_each_part_s_lp_is_solved_once_before_its_search(
    timed_run: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    """The bounds phase solves each large component's LP; the part's search takes that LP
    instead of solving it again (the time goes to the search)."""
    _, sol = timed_run
    lps = [e for p in sol["stats"]["parts"] for e in p["lp"]]
    assert len(lps) == 3  # one large component per town
    assert sol["stats"]["bounds"]["lp"] == 3  # solved in the bounds phase...
    assert [e["computed_in"] for e in lps] == ["bounds"] * 3  # ...and by no search


def test_a_part_s_share_by_size_and_the_elastic_share_of_small_components() -> None:
    from sandan.matching.parts import ELASTIC_FACTOR, ELASTIC_RESERVE, part_share

    # 40 s free over ten parts of equal size: 4 s each by size.
    assert part_share(40.0, 1.0, 9.0, False) == pytest.approx(4.0)
    # A part of small components only may take up to ELASTIC_FACTOR times that...
    assert part_share(40.0, 1.0, 9.0, True) == pytest.approx(ELASTIC_FACTOR * 4.0)
    # ...leaving the parts still to start at least ELASTIC_RESERVE of their shares.
    took = part_share(40.0, 1.0, 1.0, True)
    assert took > 20.0 and 40.0 - took >= ELASTIC_RESERVE * 20.0 - 1e-9
    # The last part gets all that is free either way.
    assert part_share(10.0, 2.0, 0.0, True) == part_share(10.0, 2.0, 0.0, False) == 10.0


def test_a_part_of_small_components_may_use_the_time_the_others_do_not_need() -> None:
    """Parts of small components only are solved exactly and stop once their batches are proved;
    the first of six was given far more than its share by size (about a third of the time left
    with two slots; 4.9 s of 14 measured without the elastic share, 12.2 s with it), so that its
    batches are not cut short while later parts leave time unused."""
    gen = load_generator()
    gen.SCALES["_small_towns"] = gen.Scale(16, (2, 3), 73, 202, 29, 2, 2, district_wide=False)
    try:
        d = gen.generate("_small_towns", 3)
    finally:
        del gen.SCALES["_small_towns"]
    limit = 14.0
    sol = solve(copy.deepcopy(d), time_limit=limit, workers=2, seed=0)
    assert check(d, sol).ok
    parts = sol["stats"]["parts"]
    assert len(parts) >= 5 and "bounds" in sol["stats"]
    assert all(w["large"] == [] for w in sol["stats"]["work"]["parts"])  # small components only
    assert parts[0]["time_limit"] > 0.6 * limit


def test_a_timed_split_run_is_repeated_by_its_replay() -> None:
    """However far the clock let the bounds phase's LPs and the searches get, the work record
    makes the replay repeat it: the same answer."""
    d = independent_towns(2)
    first = solve(copy.deepcopy(d), workers=2, seed=3, time_limit=8)
    work = first["stats"]["work"]
    assert len(work["parts"]) == 2
    again = solve(copy.deepcopy(d), workers=2, seed=3, replay=work)
    assert _comparable(again) == _comparable(first)
    assert again["stats"]["work"] == work


def test_replay_gives_the_same_answer_whichever_part_finishes_first(
    timed_run: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    d, sol = timed_run
    work = sol["stats"]["work"]
    # Part 0 ends after part 1 (both start at once), then also after part 2 (started when
    # part 1 ended).
    for after, ended in ((1, [1]), (2, [1, 2, 0])):
        with _Held(after) as pool:
            again = solve(copy.deepcopy(d), workers=2, seed=4, replay=work, executor=pool)
        assert pool.order[: len(ended)] == ended
        assert _comparable(again) == _comparable(sol)
        assert again["stats"]["work"] == work
    # One worker, no processes: the same parts one after another, the same answer.
    alone = solve(copy.deepcopy(d), workers=1, seed=4, replay=work)
    assert _comparable(alone) == _comparable(sol)


@pytest.mark.filterwarnings("ignore")  # distributed's own deprecations and port notices
def test_dask_local_cluster_gives_the_local_pool_answer(
    timed_run: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    distributed = pytest.importorskip("distributed")
    d, sol = timed_run
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        again = solve(
            copy.deepcopy(d),
            workers=2,
            seed=4,
            replay=sol["stats"]["work"],
            executor=client.get_executor(),
        )
    assert _comparable(again) == _comparable(sol)


def test_replay_on_a_slowed_process_writes_the_same_answer(tmp_path: Any) -> None:
    inst = tmp_path / "town.json"
    inst.write_text(json.dumps(independent_towns(1)), encoding="utf-8")
    cli = [sys.executable, "-m", "sandan.matching.cli", "solve", str(inst), "--seed", "2"]
    first, again = tmp_path / "first.json", tmp_path / "again.json"
    subprocess.run([*cli, "--time-limit", "10", "-o", str(first)], check=True, capture_output=True)
    work = json.loads(first.read_text(encoding="utf-8"))["stats"]["work"]
    # The clock cut the search short: how far it got (regions, LNS rounds) depends on the
    # machine's load, and whatever it was, the replay repeats it.
    assert work["large"]
    # The replay runs at the lowest priority against a busy loop: far slower than the first.
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])]
    try:
        done = subprocess.run(
            ["nice", "-n", "19", *cli, "--replay", str(first), "-o", str(again)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    finally:
        for b in burners:
            b.kill()
            b.wait()

    def answer(path: Any) -> str:
        sol = json.loads(path.read_text(encoding="utf-8"))
        return _comparable(sol)

    assert answer(again) == answer(first)


def test_replay_refuses_a_record_it_cannot_follow(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    village = tmp_path / "village.json"
    village.write_text(json.dumps(load_generator().generate("village", 1)), encoding="utf-8")
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps({"version": 1, "status": "OPTIMAL"}), encoding="utf-8")
    assert main(["solve", str(village), "--replay", str(bare)]) == 1
    err = capsys.readouterr().err
    assert "records no work" in err and "Traceback" not in err
    # A record of another instance (it names a large component the village does not have).
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"stats": {"work": {"exact": [2, 2], "large": []}}}))
    assert main(["solve", str(village), "--replay", str(other)]) == 1
    err = capsys.readouterr().err
    assert "cannot replay" in err and "Traceback" not in err


@pytest.mark.filterwarnings("ignore")  # distributed's own notices while it retries
def test_an_unreachable_dask_scheduler_is_a_clear_error(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("distributed")
    village = tmp_path / "village.json"
    village.write_text(json.dumps(load_generator().generate("village", 1)), encoding="utf-8")
    assert main(["solve", str(village), "--dask", "tcp://127.0.0.1:9"]) == 1
    err = capsys.readouterr().err
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err
    assert "Traceback" not in err


def test_split_progress_bound_is_near_the_lp_bound_before_any_search() -> None:
    """Every part's LP bound is known before any part's search starts: progress lines never
    count a part by its single-need bound (far above its LP) once the bounds phase is done."""
    d = independent_towns(3)
    events: list[Any] = []
    sol = solve(copy.deepcopy(d), workers=2, replay=fixed_work(d, 1), progress=events.append)
    lp = [e for e in sol["stats"]["parts"] for e in e["lp"]]
    assert len(lp) == 3  # one large component per town, each with its whole LP
    lp_bound = sum(e["bound"] for e in lp)
    parts = [e for e in events if e.phase in ("parts", "done")]
    assert parts and all(e.phase != "bounds" for e in events[events.index(parts[0]) :])
    assert max(e.bound for e in parts) <= 1.02 * lp_bound
    single = sum(n["priority"] for n in d["needs"])
    assert single > 1.02 * lp_bound  # the single-need bound would not do
