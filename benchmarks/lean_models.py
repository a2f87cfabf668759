"""The CP-SAT models of a run's region and neighbourhood solves, dumped and solved again offline
under other settings (BENCHMARKS.md, "Lean neighbourhood solves").

    python benchmarks/lean_models.py dump tied300.json --time-limit 60 --every 10 --dir models
    python benchmarks/lean_models.py bench models --det 1.5 "" "cp_model_presolve=False"

`dump` runs the solver in this process (an instance of one part: a town, or a district tied
together) and writes every `every`-th model that `cpsat.solve_weighted` builds, hint included.
`bench` solves each model, three passes, with the region and neighbourhood settings of
`cpsat._params` before the lean ones (`light=True, lean=False`) plus each variant's changes
(`name=value,...`; the empty variant is those settings alone), and prints the seconds a pass,
the models proved optimal, and how many objective values differ from the first variant's.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from google.protobuf import text_format
from ortools.sat import cp_model_pb2
from ortools.sat.python import cp_model

from sandan.matching import cpmodel, cpsat, solve


def dump(instance: Path, limit: float, every: int, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    counter = itertools.count()
    real = cpmodel.SubModel.maximize_weighted

    def keep(self: Any, big: int) -> None:
        real(self, big)
        i = next(counter)
        if i % every == 0:
            self.m.export_to_file(str(out / f"{i:06d}.pb"))

    cpmodel.SubModel.maximize_weighted = keep  # type: ignore[method-assign]
    sol = solve(json.loads(instance.read_text()), time_limit=limit, workers=2)
    print(f"{next(counter)} models, priority {sol['objective']['priority']}", file=sys.stderr)
    return 0


def _load(path: Path) -> cp_model.CpModel:
    proto = cp_model_pb2.CpModelProto()
    proto.ParseFromString(path.read_bytes())
    model = cp_model.CpModel()
    model.proto.parse_text_format(text_format.MessageToString(proto))
    return model


def _solver(det: float, variant: str) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    cpsat._params(solver, 10.0, det, 1, 7, light=True, lean=False)
    p = solver.parameters
    for change in filter(None, variant.split(",")):
        name, value = change.split("=")
        setattr(p, name, type(getattr(p, name))(json.loads(value.lower())))
    return solver


def bench(folder: Path, det: float, variants: list[str]) -> int:
    models = [_load(f) for f in sorted(folder.glob("*.pb"))]
    runs: dict[str, list[tuple[float, bool, float]]] = {v: [] for v in variants}
    for _ in range(3):
        for v in variants:
            for m in models:
                solver = _solver(det, v)
                t = time.perf_counter()
                status = solver.solve(m)
                runs[v].append(
                    (time.perf_counter() - t, status == cp_model.OPTIMAL, solver.objective_value)
                )
    first = runs[variants[0]]
    for v in variants:
        got = runs[v]
        differ = sum(abs(a[2] - b[2]) > 1e-6 for a, b in zip(first, got, strict=True))
        print(
            f"{v or 'as before':60s} {sum(r[0] for r in got) / 3:6.2f} s a pass, median "
            f"{statistics.median(r[0] for r in got):.4f} s, optimal {sum(r[1] for r in got)}"
            f"/{len(got)}, objective differs {differ}"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("instance", type=Path)
    d.add_argument("--time-limit", type=float, default=60.0)
    d.add_argument("--every", type=int, default=10)
    d.add_argument("--dir", type=Path, required=True)
    b = sub.add_parser("bench")
    b.add_argument("dir", type=Path)
    b.add_argument("--det", type=float, default=1.5, help="deterministic limit of each solve")
    b.add_argument("variants", nargs="+")
    args = parser.parse_args()
    if args.cmd == "dump":
        return dump(args.instance, args.time_limit, args.every, args.dir)
    return bench(args.dir, args.det, args.variants)


if __name__ == "__main__":
    sys.exit(main())
