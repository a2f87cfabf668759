"""``sandan solve`` / ``sandan check``: round trips, exit codes, messages, Ctrl-C, and the checker
catching deliberately corrupted solver output with the right rule code."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sandan.matching.cli import main

from .helpers import load_generator, two_needs_one_lead_pinned_to_both

gen = load_generator()


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def village(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    """A generated village, solved once through the CLI."""
    d = tmp_path_factory.mktemp("village")
    inst = write(d / "village.json", gen.generate("village", 1))
    sol = d / "solution.json"
    assert main(["solve", str(inst), "-o", str(sol), "--seed", "0", "--workers", "2"]) == 0
    return inst, sol, json.loads(sol.read_text(encoding="utf-8"))


def test_round_trip_through_main(
    village: tuple[Path, Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    inst, sol_path, sol = village
    assert sol["status"] in ("OPTIMAL", "FEASIBLE")
    assert sol["deeds"]
    capsys.readouterr()
    assert main(["check", str(inst), str(sol_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("valid")
    assert f"recomputed priority {sol['objective']['priority']}," in out
    assert f"distance {sol['objective']['distance']};" in out


def test_summary_line_and_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inst = write(tmp_path / "tiny.json", gen.generate("tiny", 1))
    assert main(["solve", str(inst)]) == 0
    captured = capsys.readouterr()
    sol = json.loads(captured.out)  # the solution goes to stdout without -o
    assert sol["version"] == 1
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    summary = lines[0]
    assert summary.startswith(sol["status"])
    for part in (
        f"priority {sol['objective']['priority']}",
        f"bound {sol['bound']['priority']}",
        "of bound",
        f"distance {sol['objective']['distance']}",
        f"deeds {len(sol['deeds'])}",
        f"unmatched {len(sol['unmatched'])}",
        " s",
    ):
        assert part in summary, summary


def test_progress_and_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inst = write(tmp_path / "tiny.json", gen.generate("tiny", 2))
    out = tmp_path / "sol.json"
    args = ["solve", str(inst), "-o", str(out), "--progress", "--strategy", "greedy"]
    assert main([*args, "--time-limit", "5", "--workers", "1", "--seed", "3"]) == 0
    err = capsys.readouterr().err
    assert any(line.startswith("progress:") for line in err.splitlines()), err
    assert json.loads(out.read_text(encoding="utf-8"))["status"] in ("OPTIMAL", "FEASIBLE")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("{not json", "not valid JSON"),
        ("", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "cannot read"),
    ],
)
def test_unreadable_instance_exits_1(
    content: str | bytes | None,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "in.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["solve", str(path)]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert str(path) in err
    assert "Traceback" not in err
    assert main(["check", str(path), str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_infeasible_pins_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inst = two_needs_one_lead_pinned_to_both()
    path = write(tmp_path / "pins.json", inst)
    out = tmp_path / "sol.json"
    assert main(["solve", str(path), "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err
    conflict_lines = [line for line in err.splitlines() if "p1" in line]
    assert any("n1" in line for line in conflict_lines), err
    assert any("n2" in line for line in conflict_lines), err
    assert json.loads(out.read_text(encoding="utf-8"))["status"] == "INFEASIBLE_PINS"


# ---------------------------------------------------------------- corrupted solutions


def _first_deed_with(sol: dict[str, Any], pred: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    for d in sol["deeds"]:
        if pred(d):
            return d
    pytest.skip("the solution has no deed of the kind this corruption needs")


def _bump_priority(inst: dict[str, Any], sol: dict[str, Any]) -> None:
    sol["objective"]["priority"] += 1


def _bump_distance(inst: dict[str, Any], sol: dict[str, Any]) -> None:
    sol["objective"]["distance"] += 1


def _drop_deed(inst: dict[str, Any], sol: dict[str, Any]) -> None:
    sol["deeds"].pop()


def _drop_unmatched(inst: dict[str, Any], sol: dict[str, Any]) -> None:
    sol["unmatched"].pop()


def _non_party_lead(inst: dict[str, Any], sol: dict[str, Any]) -> None:
    d = _first_deed_with(sol, lambda d: d.get("lead") is not None)
    d["lead"] = next(p["id"] for p in inst["people"] if not p["party_member"])


def _duplicate_member(inst: dict[str, Any], sol: dict[str, Any]) -> None:
    d = _first_deed_with(sol, lambda d: len(d["team"]) >= 2)
    d["team"][1] = d["team"][0]


def _lead_into_team(inst: dict[str, Any], sol: dict[str, Any]) -> None:
    d = _first_deed_with(sol, lambda d: d.get("lead") is not None and len(d["team"]) >= 1)
    d["team"][0] = d["lead"]


def _extra_unit(inst: dict[str, Any], sol: dict[str, Any]) -> None:
    d = _first_deed_with(sol, lambda d: bool(d["resources"]))
    d["resources"][0]["quantity"] += 1


def _capacity(inst: dict[str, Any], sol: dict[str, Any]) -> None:
    d = _first_deed_with(sol, lambda d: bool(d["resources"]))
    rid = d["resources"][0]["resource"]
    cap = next(r["capacity"] for r in inst["resources"] if r["id"] == rid)
    d["resources"][0]["quantity"] = cap + 1


def _ghost(inst: dict[str, Any], sol: dict[str, Any]) -> None:
    d = _first_deed_with(sol, lambda d: len(d["team"]) >= 1)
    d["team"][0] = "nobody"


def _shrink_team(inst: dict[str, Any], sol: dict[str, Any]) -> None:
    d = _first_deed_with(sol, lambda d: len(d["team"]) >= 1)
    d["team"].pop()


def _out_of_reach(inst: dict[str, Any], sol: dict[str, Any]) -> None:
    cells = {c["id"]: c for c in inst["cells"]}
    needs = {n["id"]: n for n in inst["needs"]}

    def village_of(cell: str) -> str:
        while cells[cell]["level"] not in ("VILLAGE", "TOWN"):
            cell = cells[cell]["parent"]
        return cell

    d = _first_deed_with(sol, lambda d: len(d["team"]) >= 1)
    home = village_of(needs[d["need"]]["cell"])
    used = {m for x in sol["deeds"] for m in [x.get("lead"), *x["team"]] if m}
    # A group-reach person of another group in the same village, who serves no deed yet.
    d["team"][0] = next(
        p["id"]
        for p in inst["people"]
        if p["reach"] == "GROUP"
        and p["cell"] != needs[d["need"]]["cell"]
        and cells[p["cell"]]["level"] == "GROUP"
        and village_of(p["cell"]) == home
        and p["id"] not in used
    )


def _twice(inst: dict[str, Any], sol: dict[str, Any]) -> None:
    sol["deeds"].append(copy.deepcopy(sol["deeds"][0]))


CORRUPTIONS = [
    ("priority", _bump_priority, "OBJECTIVE_MISMATCH"),
    ("distance", _bump_distance, "OBJECTIVE_MISMATCH"),
    ("deed dropped", _drop_deed, "NEED_MISSING"),
    ("unmatched dropped", _drop_unmatched, "NEED_MISSING"),
    ("need twice", _twice, "NEED_TWICE"),
    ("non-party lead", _non_party_lead, "LEAD_NOT_ALLOWED"),
    ("duplicate member", _duplicate_member, "DUPLICATE_MEMBER"),
    ("lead in team", _lead_into_team, "LEAD_IN_TEAM"),
    ("extra unit", _extra_unit, "RESOURCE_QUANTITY"),
    ("over capacity", _capacity, "CAPACITY"),
    ("unknown person", _ghost, "UNKNOWN_ID"),
    ("team too small", _shrink_team, "TEAM_SIZE"),
    ("out of reach", _out_of_reach, "REACH"),
]


@pytest.mark.parametrize(
    ("corrupt", "rule"), [pytest.param(f, r, id=name) for name, f, r in CORRUPTIONS]
)
def test_check_catches_corruption(
    corrupt: Callable[[dict[str, Any], dict[str, Any]], None],
    rule: str,
    village: tuple[Path, Path, dict[str, Any]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inst_path, _, sol = village
    inst = json.loads(inst_path.read_text(encoding="utf-8"))
    bad = copy.deepcopy(sol)
    corrupt(inst, bad)
    bad_path = write(tmp_path / "bad.json", bad)
    capsys.readouterr()
    assert main(["check", str(inst_path), str(bad_path)]) == 1
    out = capsys.readouterr().out
    assert any(line.startswith(f"{rule}:") for line in out.splitlines()), out
    assert "violation(s)" in out.splitlines()[-1]


# ---------------------------------------------------------------- subprocess


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sandan.matching.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_subprocess_round_trip(tmp_path: Path) -> None:
    inst = write(tmp_path / "tiny.json", gen.generate("tiny", 4))
    sol = tmp_path / "sol.json"
    res = _run("solve", str(inst), "-o", str(sol), "--workers", "1")
    assert res.returncode == 0, res.stderr
    assert res.stdout == ""
    assert "priority" in res.stderr
    res = _run("check", str(inst), str(sol))
    assert res.returncode == 0, res.stdout
    assert res.stdout.startswith("valid")


def test_subprocess_exit_codes(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.json", {"version": 1, "cells": [], "needs": [{"id": "n1"}]})
    res = _run("solve", str(bad))
    assert res.returncode == 2
    assert "n1" in res.stderr
    assert "Traceback" not in res.stderr
    res = _run("solve", str(tmp_path / "missing.json"))
    assert res.returncode == 1
    assert "missing.json" in res.stderr
    assert "Traceback" not in res.stderr


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["solve"],
        ["check", "only-one.json"],
        ["solve", "x.json", "--workers", "two"],
        [],
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
    assert "usage:" in capsys.readouterr().err


@pytest.mark.skipif(os.name != "posix", reason="needs SIGINT")
def test_ctrl_c_writes_the_best_answer(tmp_path: Path) -> None:
    inst = write(tmp_path / "town.json", gen.generate("town", 1))
    sol = tmp_path / "sol.json"
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "sandan.matching.cli", "solve", str(inst), "-o", str(sol)),
            *("--progress", "--time-limit", "300", "--strategy", "auto"),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    started = time.monotonic()
    # Wait until the search is under way (a progress line past candidate generation).
    for line in proc.stderr:
        if line.startswith("progress:") and "candidates" not in line:
            break
        assert time.monotonic() - started < 120, "no progress in two minutes"
    proc.send_signal(signal.SIGINT)
    try:
        rest = proc.communicate(timeout=60)[1]
    finally:
        proc.kill()
    assert proc.returncode == 0, rest
    assert "interrupted" in rest
    assert "Traceback" not in rest
    answer = json.loads(sol.read_text(encoding="utf-8"))
    assert answer["status"] in ("FEASIBLE", "OPTIMAL")
    res = _run("check", str(inst), str(sol))
    assert res.returncode == 0, res.stdout[-2000:]


def test_register_adds_both_subcommands_to_a_parent_parser() -> None:
    import argparse

    from sandan.matching.cli import cmd_check, cmd_solve, register

    parser = argparse.ArgumentParser(prog="sandan")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve")  # the project's other commands live alongside
    register(sub)
    args = parser.parse_args(
        [
            "solve",
            "in.json",
            "-o",
            "out.json",
            "--time-limit",
            "2.5",
            "--workers",
            "3",
            "--seed",
            "4",
            "--strategy",
            "cpsat",
            "--progress",
        ]
    )
    assert args.func is cmd_solve
    assert (args.instance, args.output, args.time_limit) == ("in.json", "out.json", 2.5)
    assert (args.workers, args.seed, args.strategy, args.progress) == (3, 4, "cpsat", True)
    args = parser.parse_args(["solve", "in.json"])
    assert (args.output, args.time_limit, args.workers, args.seed) == (None, None, 2, 0)
    assert (args.strategy, args.progress) == ("auto", False)
    args = parser.parse_args(["check", "in.json", "sol.json"])
    assert args.func is cmd_check
    assert (args.instance, args.solution) == ("in.json", "sol.json")
    with pytest.raises(SystemExit):
        parser.parse_args(["solve", "in.json", "--strategy", "magic"])
