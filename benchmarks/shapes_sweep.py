"""Robustness sweep: instances of shapes the benchmarks do not make by default, checked as the
product owners check issue 11's goals on hidden instances.

    python benchmarks/shapes_sweep.py --dir /tmp/sweep --wrap "flock -x /tmp/sandan-cpu.lock"
    python benchmarks/shapes_sweep.py --dir /tmp/sweep --cases singletons:1:10 towns:2:119

Each case is ``SHAPE:SEED:T`` (shapes: `gen_matching.SCALES`). For each it generates the
instance, computes its LP relaxation (bench_matching.py `_lp`, untimed), runs one
``sandan solve F --time-limit T --workers 2 --progress -o S`` process timed from outside (with
``--wrap CMD``, the timed child runs under CMD, e.g. an exclusive CPU lock; waiting for the lock
is not timed), then ``sandan check F S``. A case passes when the process exits 0 within T + 1 s
of wall time, the check finds nothing, no traceback was printed, the solution's bound is at most
2% above the LP (when the LP is known; below it is a tighter proof), and the district shapes
(`DISTRICTS`) reach >= 99% of it.

Rows print as a Markdown table (BENCHMARKS.md, "Robustness sweep") and as JSON lines in
``DIR/results.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_matching  # noqa: E402

# Default cases: (shape, seed, time limit). Seeds other than the benchmarks' seed 1, so that
# the shapes of the issue are checked on instances nobody tuned on.
CASES: list[tuple[str, int, float]] = [
    ("empty", 1, 2),
    ("tiny", 5, 2),
    ("village", 4, 2),
    ("singletons", 2, 10),
    ("nores", 2, 10),
    ("noskills", 2, 10),
    ("noleaders", 2, 10),
    ("bigteams", 2, 10),
    ("longperiod", 2, 10),
    ("pinned", 2, 10),
    ("onecomp", 2, 29),
    ("villages", 3, 5),
    ("flatvillages", 2, 29),
    ("flattown", 2, 29),
    ("manytowns", 2, 29),
    ("bigsmall", 2, 119),
    ("fewtied", 2, 119),
    ("towns", 3, 119),
    ("district", 3, 119),
]
# Shapes the district goal applies to (>= 99% of the LP in <= 120 s).
DISTRICTS = ("towns", "district", "bigsmall", "fewtied", "manytowns")
# Above this many needs the LP keeps the nearest candidates (bench_matching.LP_PRUNED).
LP_PRUNE_ABOVE = 10_000
# Shapes whose LP over every pair is not computed: the flat town's 12 million pairs would take
# more memory and time than the sweep itself (its answer is judged by its own bound).
NO_LP = ("flattown",)
BOUND_GAP = 2.0  # per cent
PROGRESS = re.compile(r"progress: (\w+), .* best (\d+), bound (\d+) .*, ([\d.]+) s$")


def _instance(directory: Path, shape: str, seed: int) -> Path:
    path = directory / f"{shape}-{seed}.json"
    if not path.exists():
        path.write_text(json.dumps(gen_matching.generate(shape, seed)), encoding="utf-8")
    return path


def _lp(path: Path, n_needs: int) -> float | None:
    """The instance's LP relaxation value (cached beside it), or None if it could not be had."""
    cache = path.with_suffix(".lp")
    if cache.exists():
        return float(cache.read_text())
    scale = "towns" if n_needs > LP_PRUNE_ABOVE else "town"  # "towns": pruned candidates
    cmd = [sys.executable, str(HERE / "bench_matching.py"), "_lp", str(path), scale]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            value = float(json.loads(line)["lp"])
            cache.write_text(repr(value))
            return value
    sys.stderr.write(done.stderr[-2000:])
    return None


def _timed(argv: list[str]) -> None:
    """Child: run `argv` (one `sandan solve`), print {"wall", "rc"} as JSON; stderr passes on."""
    t0 = time.monotonic()
    done = subprocess.run(argv, check=False)
    print(json.dumps({"wall": time.monotonic() - t0, "rc": done.returncode}))


def run_case(
    directory: Path, shape: str, seed: int, limit: float, wrap: list[str]
) -> dict[str, Any]:
    path = _instance(directory, shape, seed)
    inst = json.loads(path.read_text(encoding="utf-8"))
    n_needs = len(inst["needs"])
    lp = None if shape in NO_LP else _lp(path, n_needs) if n_needs else 0.0
    sol_path = directory / f"{shape}-{seed}-{limit:g}.solution.json"
    solve = [sys.executable, "-m", "sandan.matching.cli", "solve", str(path), "-o", str(sol_path)]
    solve += ["--time-limit", str(limit), "--workers", "2", "--progress"]
    cmd = [*wrap, sys.executable, str(Path(__file__).resolve()), "_timed", *solve]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    timing = json.loads(done.stdout.strip().splitlines()[-1])
    err = done.stderr
    row: dict[str, Any] = {
        "shape": shape,
        "seed": seed,
        "needs": n_needs,
        "people": len(inst["people"]),
        "resources": len(inst["resources"]),
        "T": limit,
        "wall": round(timing["wall"], 2),
        "rc": timing["rc"],
        "traceback": "Traceback" in err,
        "lp": lp,
    }
    problems = []
    if timing["rc"] != 0:
        problems.append(f"exit {timing['rc']}: {err.strip().splitlines()[-1:]}")
    if row["traceback"]:
        problems.append("traceback")
    if timing["wall"] > limit + 1.0:
        problems.append(f"wall {timing['wall']:.1f} s > T + 1")
    if timing["rc"] == 0:
        sol = json.loads(sol_path.read_text(encoding="utf-8"))
        chk = subprocess.run(
            [sys.executable, "-m", "sandan.matching.cli", "check", str(path), str(sol_path)],
            capture_output=True,
            text=True,
            check=False,
        )
        row["check"] = chk.returncode == 0
        if not row["check"]:
            problems.append("check: " + chk.stdout.strip().splitlines()[0])
        row["status"] = sol["status"]
        row["priority"] = sol["objective"]["priority"]
        row["bound"] = sol["bound"]["priority"]
        _compare(row, err, lp, problems)
    row["problems"] = problems
    row["ok"] = not problems
    return row


def _compare(row: dict[str, Any], err: str, lp: float | None, problems: list[str]) -> None:
    """% of LP, the final bound's gap to the LP, and when the progress lines' bound got within
    `BOUND_GAP` of the LP for good (the first line after which every line is)."""
    if not lp:
        return
    row["pct_lp"] = round(100.0 * row["priority"] / lp, 2)
    row["bound_gap"] = round(100.0 * (row["bound"] - lp) / lp, 2)
    lines = [m.groups() for m in map(PROGRESS.search, err.splitlines()) if m]
    close_from = None
    for _phase, _best, bound, secs in lines:
        gap = (int(bound) - lp) / lp * 100.0
        if gap <= BOUND_GAP:
            close_from = close_from if close_from is not None else float(secs)
        else:
            close_from = None
    row["bound_close_from"] = close_from
    row["progress_lines"] = len(lines)
    if row["bound_gap"] > BOUND_GAP:  # a bound below the LP is a tighter proof, not a fault
        problems.append(f"bound {row['bound_gap']:+.2f}% off the LP")
    if row["shape"] in DISTRICTS and row["pct_lp"] < 99.0:
        problems.append(f"{row['pct_lp']:.2f}% of LP < 99%")


def table(rows: list[dict[str, Any]]) -> str:
    out = [
        "| shape (seed) | needs / people / resources | T s | wall s | % of LP | bound vs LP "
        "| bound ≤2% from s | check | result |",
        "|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        pct = f"{r['pct_lp']:.2f}%" if "pct_lp" in r else "-"
        gap = f"{r['bound_gap']:+.2f}%" if "bound_gap" in r else "-"
        close = r.get("bound_close_from")
        close_s = f"{close:.1f}" if close is not None else "-"
        size = f"{r['needs']:,} / {r['people']:,} / {r['resources']:,}"
        check = {True: "ok", False: "FAIL"}.get(r.get("check"), "-")
        result = "ok" if r["ok"] else "; ".join(r["problems"])
        out.append(
            f"| {r['shape']} ({r['seed']}) | {size} | {r['T']:g} | {r['wall']:.1f} | {pct} "
            f"| {gap} | {close_s} | {check} | {result} |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--dir", required=True, help="instances, LP values and answers go here")
    parser.add_argument("--cases", nargs="+", help="SHAPE:SEED:T ... (default: CASES)")
    parser.add_argument("--wrap", default="", help="command the timed solve runs under")
    args = parser.parse_args(argv)
    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    cases = CASES
    if args.cases:
        cases = [(s, int(seed), float(t)) for s, seed, t in (c.split(":") for c in args.cases)]
    rows = []
    with open(directory / "results.jsonl", "a", encoding="utf-8") as log:
        for shape, seed, limit in cases:
            row = run_case(directory, shape, seed, limit, args.wrap.split())
            rows.append(row)
            log.write(json.dumps(row) + "\n")
            log.flush()
            print(json.dumps(row), file=sys.stderr, flush=True)
    print(table(rows))
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_timed":
        _timed(sys.argv[2:])
        sys.exit(0)
    sys.exit(main())
