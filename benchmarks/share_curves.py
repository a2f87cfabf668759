"""How should independent parts share the time limit: by size, or by measured marginal gain?

    python benchmarks/share_curves.py measure --dir /tmp/share --case towns:1 \\
        --limits 8 15 22 30 40 --wrap "flock -x /tmp/sandan-cpu.lock"
    python benchmarks/share_curves.py report --dir /tmp/share --case towns:1 --limit 119

``measure`` generates the instance (`gen_matching.py SHAPE --seed SEED`), cuts it into its parts
exactly as `sandan solve` does (`matching.parts.split` and `part_instance`), writes each part as
an instance of its own, and solves every part alone with ``sandan solve PART --time-limit T
--workers 1 --progress`` at each limit T: its anytime curve f(T). Parts are solved ``--jobs``
at a time (default 2, as a split run on two cores runs them: one thread each), each batch under
``--wrap`` (a lock). Results go to ``DIR/SHAPE-SEED-curves.jsonl`` (a rerun skips what is there).

``report`` prints a Markdown table of the curves (priority at each T; gain per second per 1,000
needs between successive limits) and compares, for one total CPU budget B, the total priority
(the curves interpolated linearly; with ``--dense-from D``, from D seconds on read off the
longest run's progress lines instead) of

- **size**: the shares `matching.parts.solve_parts` gives (each part, when it starts, gets the
  free time in proportion to its needs against the parts not started; one core a part), with
  B = slots x (limit - overhead), and
- **gain**: the best split of the same B by the curves (a dynamic programme over 0.5 s steps,
  each part within its measured range and at most one core's time): what any sharing by
  marginal gain could reach at most, since it knows every curve in advance (and picks up their
  noise as gain).

``--parts`` measures only some parts (each may have its own limits: e.g. a big part at long
limits, small ones at short); ``--whole`` sets the base of the percentages (e.g. the LP).
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_matching  # noqa: E402

from sandan.matching import parse_instance  # noqa: E402
from sandan.matching.parts import part_instance, split  # noqa: E402
from sandan.matching.tree import Tree  # noqa: E402

PROGRESS = re.compile(r"progress: (\w+), .*best (\d+), bound (\d+).*, ([\d.]+) s$")
STEP = 0.5  # seconds: the gain allocation's grid


def _parts(folder: Path, shape: str, seed: int) -> list[Path]:
    """The instance's parts as instance files (written once)."""
    stem = f"{shape}-{seed}"
    listing = folder / f"{stem}-parts.json"
    if listing.exists():
        return [folder / p for p in json.loads(listing.read_text(encoding="utf-8"))]
    raw = gen_matching.generate(shape, seed)
    inst = parse_instance(raw)
    paths = []
    for k, spec in enumerate(split(inst, Tree(inst))):
        path = folder / f"{stem}-p{k}.json"
        path.write_text(json.dumps(part_instance(raw, spec)), encoding="utf-8")
        paths.append(path)
    listing.write_text(json.dumps([p.name for p in paths]), encoding="utf-8")
    return paths


def _batch(sandan: str, wrap: list[str], jobs: list[tuple[Path, float, Path]]) -> None:
    """Solve each (part, limit, solution) of `jobs` side by side, all under one `wrap`."""
    shell = []
    for part, limit, out in jobs:
        cmd = [sandan, "solve", str(part), "--time-limit", str(limit), "--workers", "1"]
        cmd += ["--progress", "-o", str(out)]
        log = out.with_suffix(".log")
        shell.append(f"{shlex.join(cmd)} >/dev/null 2>{shlex.quote(str(log))} &")
    subprocess.run([*wrap, "sh", "-c", " ".join(shell) + " wait"], check=False)


def measure(args: argparse.Namespace) -> None:
    shape, seed = args.case.split(":")
    parts = _parts(args.dir, shape, int(seed))
    results = args.dir / f"{shape}-{seed}-curves.jsonl"
    done = set()
    if results.exists():
        for line in results.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            done.add((row["part"], row["limit"]))
    wrap = shlex.split(args.wrap)
    which = args.parts if args.parts is not None else range(len(parts))
    todo = [(k, t) for t in args.limits for k in which if (k, t) not in done]
    for b in range(0, len(todo), args.jobs):
        batch = todo[b : b + args.jobs]
        jobs = [(parts[k], t, args.dir / f"sol-{shape}-{seed}-p{k}-{t:g}.json") for k, t in batch]
        _batch(args.sandan, wrap, jobs)
        for (k, t), (part, _, out) in zip(batch, jobs, strict=True):
            sol = json.loads(out.read_text(encoding="utf-8"))
            log = out.with_suffix(".log").read_text(encoding="utf-8")
            curve = [
                (float(m[4]), int(m[2]))
                for m in (PROGRESS.search(x) for x in log.splitlines())
                if m is not None
            ]
            row = {
                "part": k,
                "needs": len(json.loads(part.read_text(encoding="utf-8"))["needs"]),
                "limit": t,
                "priority": sol["objective"]["priority"],
                "bound": sol["bound"]["priority"],
                "status": sol["status"],
                "seconds": sol["stats"].get("seconds"),
                "progress": curve,
            }
            with results.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(row) + "\n")
            print(f"part {k} T={t:g}: {row['priority']:,} ({row['status']})", flush=True)


def _size_shares(needs: list[int], slots: int, left: float) -> list[float]:
    """`solve_parts`' shares: each part, when a slot frees, gets the free time by its needs
    against the parts not started (here every part uses its whole share)."""
    ends: list[float] = []  # running parts' end times
    now, shares = 0.0, []
    for i in range(len(needs)):
        if len(ends) == slots:
            now = min(ends)
            ends.remove(now)
        free = slots * (left - now) - sum(e - now for e in ends)
        share = min(left - now, free * needs[i] / sum(needs[i:]))
        shares.append(share)
        ends.append(now + share)
    return shares


def report(args: argparse.Namespace) -> None:
    shape, seed = args.case.split(":")
    rows = [
        json.loads(x)
        for x in (args.dir / f"{shape}-{seed}-curves.jsonl").read_text("utf-8").splitlines()
    ]
    n = 1 + max(r["part"] for r in rows)
    needs = [next(r["needs"] for r in rows if r["part"] == k) for k in range(n)]
    at = [sorted(r["limit"] for r in rows if r["part"] == k) for k in range(n)]
    curve = {(r["part"], r["limit"]): r["priority"] for r in rows}
    bound = {k: min(r["bound"] for r in rows if r["part"] == k) for k in range(n)}
    left = args.limit - args.overhead
    budget = args.slots * left
    size = _size_shares(needs, args.slots, left)

    # f(k, T): part k's priority at --time-limit T, linear between the measured limits; with
    # --dense-from D, from D s on it is read off the longest run's progress lines instead (its
    # best at T minus the time that run kept for its answer), every STEP seconds.
    xs, ys = [], []
    for k in range(n):
        x = [t for t in at[k] if args.dense_from is None or t < args.dense_from]
        y = [float(curve[k, t]) for t in x]
        if args.dense_from is not None:
            top = next(r for r in rows if r["part"] == k and r["limit"] == at[k][-1])
            keep = top["limit"] - top["seconds"]
            for t in np.arange(args.dense_from, top["limit"] + 1e-9, STEP):
                seen = [b for when, b in top["progress"] if when <= t - keep]
                x.append(float(t))
                y.append(float(max(seen, default=0)))
        xs.append(x)
        ys.append(y)

    def f(k: int, t: float) -> float:  # clamped to the measured range
        return float(np.interp(t, xs[k], ys[k]))

    limits = sorted({r["limit"] for r in rows})
    head = " | ".join(f"T = {t:g} s" for t in limits)
    print(f"| part | needs | bound | {head} | gain /s /1000 needs between successive T |")
    print("|---" * (4 + len(limits)) + "|")
    for k in range(n):
        pts = " | ".join(f"{curve[k, t]:,}" if (k, t) in curve else "-" for t in limits)
        slopes = ", ".join(
            f"{(curve[k, b] - curve[k, a]) / (b - a) / needs[k] * 1000:.2f}"
            for a, b in itertools.pairwise(at[k])
        )
        print(f"| {k} | {needs[k]:,} | {bound[k]:,} | {pts} | {slopes} |")
    total = [
        f"{sum(curve[k, t] for k in range(n)):,}" if all((k, t) in curve for k in range(n)) else "-"
        for t in limits
    ]
    print(f"| all | {sum(needs):,} | {sum(bound.values()):,} | {' | '.join(total)} | |")

    # Best split of the budget by the curves: a knapsack over STEP-second units.
    units = round(budget / STEP)
    neg = -1e18
    best = np.full(units + 1, neg)
    best[0] = 0.0
    picks = []
    for k in range(n):
        grid = np.arange(at[k][0], min(at[k][-1], left) + 1e-9, STEP)
        cost = np.round(grid / STEP).astype(int)
        nxt = np.full(units + 1, neg)
        arg = np.zeros(units + 1, dtype=int)
        for j, c in enumerate(cost):
            if c > units:
                continue
            cand = np.full(units + 1, neg)
            cand[c:] = best[: units + 1 - c] + f(k, float(grid[j]))
            better = cand > nxt
            nxt[better] = cand[better]
            arg[better] = j
        picks.append((grid, arg, cost))
        best = nxt
    u = int(np.argmax(best))
    gain_t = [0.0] * n
    for k in range(n - 1, -1, -1):
        grid, arg, cost = picks[k]
        j = int(arg[u])
        gain_t[k] = float(grid[j])
        u -= int(cost[j])
    size_p = sum(f(k, t) for k, t in enumerate(size))
    gain_p = sum(f(k, t) for k, t in enumerate(gain_t))
    print()
    print(f"budget: {args.slots} x ({args.limit:g} - {args.overhead:g}) = {budget:.1f} CPU s")
    print("| rule | " + " | ".join(f"part {k}" for k in range(n)) + " | total priority |")
    print("|---" * (n + 2) + "|")
    print("| size (s) | " + " | ".join(f"{t:.1f}" for t in size) + f" | {size_p:,.0f} |")
    print("| gain (s) | " + " | ".join(f"{t:.1f}" for t in gain_t) + f" | {gain_p:,.0f} |")
    ref = args.whole or sum(bound.values())
    print(
        f"\ngain - size: {gain_p - size_p:+,.0f} "
        f"({(gain_p - size_p) / ref * 100:+.3f}% of {ref:,.0f})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("measure", help="solve every part alone at each limit")
    m.add_argument("--dir", type=Path, required=True, help="parts, solutions and results")
    m.add_argument("--case", required=True, metavar="SHAPE:SEED")
    m.add_argument("--limits", type=float, nargs="+", default=[8, 15, 22, 30, 40])
    m.add_argument("--parts", type=int, nargs="+", help="only these parts (default: all)")
    m.add_argument("--jobs", type=int, default=2, help="parts solved side by side")
    m.add_argument("--sandan", default="sandan", help="the sandan executable")
    m.add_argument("--wrap", default="", help="run each batch of solves under this command")
    r = sub.add_parser("report", help="the curves and the two shares' totals")
    r.add_argument("--dir", type=Path, required=True)
    r.add_argument("--case", required=True, metavar="SHAPE:SEED")
    r.add_argument("--limit", type=float, default=119.0, help="the whole run's --time-limit")
    r.add_argument(
        "--overhead", type=float, default=3.0, help="seconds of it no part gets (start, answer)"
    )
    r.add_argument("--slots", type=int, default=2, help="parts side by side (--workers)")
    r.add_argument(
        "--dense-from", type=float, help="curves from the longest run's progress from here on"
    )
    r.add_argument("--whole", type=float, default=0.0, help="%% base (default: sum of bounds)")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    measure(args) if args.cmd == "measure" else report(args)


if __name__ == "__main__":
    main()
