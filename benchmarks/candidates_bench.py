"""Candidate generation's time (`eligibility.generate`): the solver's fixed cost before any search.

    python benchmarks/candidates_bench.py onecomp-1.json district-1.json --runs 5
    python benchmarks/candidates_bench.py onecomp-1.json --digest   # a hash of every pair

`sandan solve` calls `generate` once per process, on memory the process has never touched, and
the first touch of hundreds of MB costs as much as the arithmetic (the same call, repeated in one
process, runs 2-3 times faster). So every run is a fresh process: it parses the instance, builds
the tree and arrays (not timed), then times one `generate`. Medians over `--runs` processes.
`--digest` prints a SHA-256 over the lead, team and resource pairs (need, entity, distance, CSR
pointers) and the team-rule counts, to check that two versions of the code give the very same
pairs on instances too large for the tests.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import time
from typing import Any

import numpy as np

from sandan.matching import eligibility
from sandan.matching.instance import parse_instance
from sandan.matching.tree import Tree


def digest(c: eligibility.Candidates) -> str:
    h = hashlib.sha256()
    for p in (c.lead, c.team, c.res):
        for a in (p.need, p.ent, p.dist, p.ptr):
            h.update(np.ascontiguousarray(a, dtype=np.int64).tobytes())
            h.update(b"|")
    h.update(np.ascontiguousarray(c.team_rule_count, dtype=np.int64).tobytes())
    return h.hexdigest()


def one(path: str, want_digest: bool) -> dict[str, Any]:
    """One fresh `generate` on the instance at `path` (this process's only one)."""
    with open(path, encoding="utf-8") as f:
        inst = parse_instance(json.load(f))
    tree, arr = Tree(inst), eligibility.build_arrays(inst)
    t0 = time.perf_counter()
    c = eligibility.generate(inst, tree, arr)
    out: dict[str, Any] = {
        "seconds": time.perf_counter() - t0,
        "needs": len(inst.needs),
        "people": len(inst.people),
        "pairs": [len(c.lead), len(c.team), len(c.res)],
    }
    if want_digest:
        out["digest"] = digest(c)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("instances", nargs="+")
    ap.add_argument("--runs", type=int, default=5, help="fresh processes per instance")
    ap.add_argument("--digest", action="store_true")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.instances[0], args.digest)))
        return 0
    for path in args.instances:
        runs = []
        for i in range(max(args.runs, 1)):
            cmd = [sys.executable, __file__, path, "--one"]
            if args.digest and i == 0:
                cmd.append("--digest")
            res = subprocess.run(cmd, check=True, capture_output=True, text=True)
            runs.append(json.loads(res.stdout))  # one process's `one()`
        times = [float(r["seconds"]) for r in runs]
        first = runs[0]
        lead, team, res_ = first["pairs"]
        print(
            f"{path}: {first['needs']} needs, {first['people']} people; pairs lead {lead:,} "
            f"team {team:,} resource {res_:,}; generate median {statistics.median(times):.3f} s "
            f"(min {min(times):.3f}, max {max(times):.3f}, {len(times)} processes)"
        )
        if args.digest:
            print(f"  digest {first['digest']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
