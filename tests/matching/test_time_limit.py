"""The time limit holds whatever the instance: parts the clock leaves no time for, and a whole
run that has no answer by its limit, are cut off (their needs unmatched, `TIME_LIMIT`) rather
than overrun; the work record says so, and a replay repeats the same answer."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sandan.matching import solve
from sandan.matching.check import check
from sandan.matching.check.report import Rule
from sandan.matching.timeout import TIME_LIMIT

from .helpers import fixed_work, independent_towns, load_generator
from .test_parts import _comparable


def _cut_needs(sol: dict[str, Any]) -> set[str]:
    return {u["need"] for u in sol["unmatched"] if u["reasons"] == [TIME_LIMIT]}


def _valid_but_cut_pins(d: dict[str, Any], sol: dict[str, Any]) -> bool:
    """The answer breaks no rule, but for the pins of needs it cut off (timeout.py)."""
    report = check(d, sol)
    cut = _cut_needs(sol)
    return all(v.rule == Rule.PIN and v.need in cut for v in report.violations)


def _priorities(needs: list[dict[str, Any]]) -> int:
    return sum(int(n["priority"]) for n in needs)


def test_parts_with_no_time_left_are_cut_off_and_the_replay_cuts_them_too() -> None:
    d = independent_towns(3)
    # The clock ran out before the solve began (e.g. a slow start-up): no part can start.
    sol = solve(copy.deepcopy(d), workers=2, time_limit=1, started=time.monotonic() - 5)
    assert _valid_but_cut_pins(d, sol)
    work = sol["stats"]["work"]
    assert work == {"parts": [{"cut": True}] * 3, "bounds": False}
    assert sol["deeds"] == [] and _cut_needs(sol) == {n["id"] for n in d["needs"]}
    # Nothing was proved about them: the bound is every need's priority.
    assert sol["bound"]["priority"] == _priorities(d["needs"])
    again = solve(copy.deepcopy(d), workers=2, replay=work)
    assert _comparable(again) == _comparable(sol)


def test_a_cut_off_part_leaves_the_others_answers_whole() -> None:
    d = independent_towns(3)
    work = fixed_work(d, lns_rounds=0)
    whole = solve(copy.deepcopy(d), workers=1, replay=work)
    work["parts"][1] = {"cut": True}
    sol = solve(copy.deepcopy(d), workers=1, replay=work)
    assert _valid_but_cut_pins(d, sol)
    town2 = {n["id"] for n in d["needs"] if n["cell"].startswith("T2")}
    assert _cut_needs(sol) == town2
    # Towns 1 and 3 keep exactly the deeds they get in the whole run.
    kept = [x for x in whole["deeds"] if x["need"] not in town2]
    assert sol["deeds"] == kept and kept
    assert sol["bound"]["priority"] >= _priorities([n for n in d["needs"] if n["id"] in town2])
    assert sol["stats"]["work"] == work


class _Stuck(ThreadPoolExecutor):
    """Parts that never end by themselves (a stalled worker): held until the test lets go."""

    def __init__(self) -> None:
        super().__init__(2)
        self.release = threading.Event()
        self.stopped = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        def stuck() -> Any:
            self.release.wait(timeout=120)
            return fn(*args, **kwargs)

        return super().submit(stuck)

    def stop_now(self) -> None:
        self.stopped = True


def test_parts_still_running_at_the_end_are_cut_off_and_their_workers_stopped() -> None:
    d = independent_towns(2)
    pool = _Stuck()
    try:
        sol = solve(copy.deepcopy(d), workers=2, time_limit=2, executor=pool)
    finally:
        pool.release.set()
        pool.shutdown(cancel_futures=True)
    assert pool.stopped
    assert sol["stats"]["work"]["parts"] == [{"cut": True}] * 2
    assert _valid_but_cut_pins(d, sol) and _cut_needs(sol) == {n["id"] for n in d["needs"]}


def test_the_command_keeps_its_limit_when_no_answer_is_ready(tmp_path: Path) -> None:
    """A limit far too short for the instance (a town's needs ten times over, ~24,000, and
    0.01 s): the command writes the cut-off answer at its limit instead of running on, and the
    replay repeats it. With 20,000 needs or more the command waits 0.2 s past the limit, less
    than the interpreter and NumPy take to start, so the solver can never answer first (with a
    town alone it had placed the pins and cut the rest itself by 0.65 s, once)."""
    gen = load_generator()
    d = gen.generate("town", 1)
    d["needs"] += [{**n, "id": f"{n['id']}-{k}"} for k in range(1, 10) for n in d["needs"]]
    inst = tmp_path / "town.json"
    inst.write_text(json.dumps(d), encoding="utf-8")
    out, again = tmp_path / "out.json", tmp_path / "again.json"
    cli = [sys.executable, "-m", "sandan.matching.cli", "solve", str(inst)]
    done = subprocess.run(
        [*cli, "--time-limit", "0.01", "-o", str(out)], capture_output=True, text=True, check=False
    )
    pinned = {p["need"] for p in d.get("pins") or []}
    assert pinned  # the town has pins: the cut-off answer cannot hold them, and says so
    assert done.returncode == 4, done.stderr
    assert TIME_LIMIT in done.stderr and "pinned need" in done.stderr
    assert "Traceback" not in done.stderr
    sol = json.loads(out.read_text(encoding="utf-8"))
    assert _valid_but_cut_pins(d, sol)
    assert sol["stats"]["work"] == {"cut": True}
    assert _cut_needs(sol) == {n["id"] for n in d["needs"]}
    replay = subprocess.run(
        [*cli, "--replay", str(out), "-o", str(again)], capture_output=True, text=True, check=False
    )
    assert replay.returncode == 4, replay.stderr
    assert _comparable(json.loads(again.read_text(encoding="utf-8"))) == _comparable(sol)


def test_the_command_replays_the_record_of_a_split_run(tmp_path: Path) -> None:
    """A split run's record ({"parts": [...]}) is one the command replays (it once refused any
    record without the single-part `exact` list)."""
    d = independent_towns(2)
    inst, first, again = tmp_path / "towns.json", tmp_path / "first.json", tmp_path / "again.json"
    inst.write_text(json.dumps(d), encoding="utf-8")
    work = {"parts": [fixed_work(d, lns_rounds=0)["parts"][0], {"cut": True}], "bounds": True}
    first.write_text(json.dumps({"stats": {"work": work}}), encoding="utf-8")
    cli = [sys.executable, "-m", "sandan.matching.cli", "solve", str(inst), "--workers", "1"]
    done = subprocess.run(
        [*cli, "--replay", str(first), "-o", str(again)], capture_output=True, text=True
    )
    town2 = {n["id"] for n in d["needs"] if n["cell"].startswith("T2")}
    # Exit 4 when town 2's pins are left unplaced by the cut-off.
    assert done.returncode == (4 if {p["need"] for p in d["pins"]} & town2 else 0), done.stderr
    sol = json.loads(again.read_text(encoding="utf-8"))
    assert sol["stats"]["work"] == work
    assert _cut_needs(sol) == town2
    assert sol["deeds"] and _valid_but_cut_pins(d, sol)
