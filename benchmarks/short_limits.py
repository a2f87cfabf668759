"""Short time limits on large instances: does `sandan solve --time-limit T` end within T + 1 s,
and what answer does it give when T is too short for the whole instance?

    python benchmarks/short_limits.py --dir /tmp/short --cases onecomp:1:2 towns:1:5
    python benchmarks/short_limits.py --dir /tmp/short --sandan before=old/.venv/bin/sandan \\
        --sandan after=.venv/bin/sandan --wrap "flock -x /tmp/sandan-cpu.lock" --runs 3

Each case is ``SHAPE:SEED:T`` (shapes: `gen_matching.SCALES`). For each case and each
``--sandan`` executable (compared side by side, alternating, in one sitting), it runs
``SANDAN solve F --time-limit T --workers 2 -o S`` timed from outside (with ``--wrap CMD`` the
timed child runs under CMD; waiting for a lock is not timed) and ``sandan check F S``. It reports
the median wall time, how many runs ended within T + 1 s, the exit codes, the answer's priority
sum and the needs cut off (`TIME_LIMIT`), as a Markdown table (BENCHMARKS.md, "Short time
limits").
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_matching  # noqa: E402

CASES = [
    "village:1:2",
    "town:1:2",
    "onecomp:1:2",
    "onecomp:1:5",
    "onecomp:1:10",
    "towns:1:5",
    "towns:1:10",
    "towns:1:20",
    "district:1:5",
    "district:1:10",
    "district:1:20",
]


def _instance(folder: Path, shape: str, seed: int) -> Path:
    path = folder / f"{shape}-{seed}.json"
    if not path.exists():
        path.write_text(json.dumps(gen_matching.generate(shape, seed)), encoding="utf-8")
    return path


def _one(sandan: str, wrap: list[str], inst: Path, limit: float, out: Path) -> dict[str, Any]:
    cmd = [sandan, "solve", str(inst), "--time-limit", str(limit), "--workers", "2", "-o", str(out)]
    # The wrapper (a lock) is entered first; the clock starts when the solve itself starts.
    timed = [sys.executable, "-c", _TIMER, *cmd]
    done = subprocess.run([*wrap, *timed], capture_output=True, text=True, check=False)
    wall = float(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else float("nan")
    row: dict[str, Any] = {"wall": wall, "exit": done.returncode}
    row["traceback"] = "Traceback" in done.stderr
    if out.exists():
        sol = json.loads(out.read_text(encoding="utf-8"))
        row["priority"] = sol["objective"]["priority"]
        row["cut"] = sum(1 for u in sol["unmatched"] if "TIME_LIMIT" in u["reasons"])
        check = subprocess.run(
            [sandan, "check", str(inst), str(out)], capture_output=True, text=True, check=False
        )
        last = check.stdout.strip().splitlines()[-1] if check.stdout.strip() else ""
        row["check"] = "ok" if check.returncode == 0 else last[:60]
        out.unlink()
    return row


# Runs the command given in argv and prints its wall time (a child of the wrapper, so that the
# time a lock takes to be granted is not counted).
_TIMER = (
    "import subprocess, sys, time\n"
    "t = time.monotonic()\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(time.monotonic() - t)\n"
    "sys.exit(rc)\n"
)


def _num(value: Any) -> str:
    return "-" if value is None else f"{value:,}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, required=True, help="instances and results go here")
    ap.add_argument("--cases", nargs="*", default=CASES, metavar="SHAPE:SEED:T")
    ap.add_argument(
        "--sandan",
        action="append",
        metavar="[LABEL=]PATH",
        help="sandan executable(s) to compare, each optionally labelled (e.g. main=old/sandan)",
    )
    ap.add_argument("--wrap", default="", help="run each timed solve under this command")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    labels = dict(x.split("=", 1) if "=" in x else (x, x) for x in args.sandan or ["sandan"])
    sandans = list(labels)
    wrap = shlex.split(args.wrap)
    print("| case | code | wall s (median) | within T + 1 s | exit | priority | cut off | check |")
    print("|---|---|---:|---|---|---:|---:|---|")
    for case in args.cases:
        shape, seed, limit = case.split(":")
        inst = _instance(args.dir, shape, int(seed))
        rows: dict[str, list[dict[str, Any]]] = {s: [] for s in sandans}
        for _ in range(args.runs):
            for s in sandans:  # alternating: both see the same load
                rows[s].append(
                    _one(labels[s], wrap, inst, float(limit), args.dir / "solution.json")
                )
        for s in sandans:
            got = rows[s]
            walls = [r["wall"] for r in got]
            within = sum(1 for w in walls if w <= float(limit) + 1)
            mid = sorted(got, key=lambda r: r["wall"])[len(got) // 2]
            print(
                f"| {shape} ({seed}), T = {limit} | {s} | {statistics.median(walls):.1f} | "
                f"{within}/{len(got)} | {','.join(str(r['exit']) for r in got)} | "
                f"{_num(mid.get('priority'))} | {_num(mid.get('cut'))} | {mid.get('check', '-')} |",
                flush=True,
            )
            with (args.dir / "results.jsonl").open("a", encoding="utf-8") as fh:
                fh.write(json.dumps({"case": case, "sandan": s, "runs": got, "at": time.time()}))
                fh.write("\n")


if __name__ == "__main__":
    main()
