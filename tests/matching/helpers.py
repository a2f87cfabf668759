"""Builders for hand-made instances, shared by the matching tests."""

from __future__ import annotations

import copy
from typing import Any

# One town, one village, two branches, three groups:
#   T1 - V1 - B1 - G1
#                - G2
#           - B2 - G3
CELLS: list[dict[str, Any]] = [
    {"id": "T1", "parent": None, "level": "TOWN"},
    {"id": "V1", "parent": "T1", "level": "VILLAGE"},
    {"id": "B1", "parent": "V1", "level": "BRANCH"},
    {"id": "B2", "parent": "V1", "level": "BRANCH"},
    {"id": "G1", "parent": "B1", "level": "GROUP"},
    {"id": "G2", "parent": "B1", "level": "GROUP"},
    {"id": "G3", "parent": "B2", "level": "GROUP"},
]

# A forest whose second tree is rooted below TOWN and skips a level (a GROUP right under a VILLAGE):
# reach TOWN from there means that whole tree, reach BRANCH from G4 means V2, and nothing crosses
# between the trees.
CELLS_FOREST: list[dict[str, Any]] = [
    {"id": "T1", "parent": None, "level": "TOWN"},
    {"id": "V1", "parent": "T1", "level": "VILLAGE"},
    {"id": "B1", "parent": "V1", "level": "BRANCH"},
    {"id": "G1", "parent": "B1", "level": "GROUP"},
    {"id": "G2", "parent": "B1", "level": "GROUP"},
    {"id": "V2", "parent": None, "level": "VILLAGE"},
    {"id": "B3", "parent": "V2", "level": "BRANCH"},
    {"id": "G4", "parent": "V2", "level": "GROUP"},
]


def person(pid: str, cell: str = "G1", **kw: Any) -> dict[str, Any]:
    """A person who may lead one deed and join one, reaching the whole tree, unless told."""
    out: dict[str, Any] = {
        "id": pid,
        "cell": cell,
        "party_member": True,
        "skills": [],
        "categories": [],
        "hours": 10,
        "max_deeds": 1,
        "max_lead": 1,
        "reach": None,
        "available": None,
        "household": None,
    }
    out.update(kw)
    return out


def need(nid: str, cell: str = "G1", **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": nid,
        "cell": cell,
        "category": "DAILY_LIFE",
        "priority": 50,
        "lead": True,
        "volunteers": 0,
        "hours": 2,
        "skills": [],
        "resources": [],
        "window": None,
        "household": None,
    }
    out.update(kw)
    return out


def resource(rid: str, cell: str = "B1", **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": rid,
        "cell": cell,
        "reach": None,
        "kind": "VENUE",
        "categories": [],
        "capacity": 1,
        "available": None,
    }
    out.update(kw)
    return out


def instance(
    people: list[dict[str, Any]],
    needs: list[dict[str, Any]],
    resources: list[dict[str, Any]] | None = None,
    pins: list[dict[str, Any]] | None = None,
    forbid: list[dict[str, Any]] | None = None,
    cells: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "version": 1,
        "cells": copy.deepcopy(CELLS if cells is None else cells),
        "people": people,
        "resources": resources or [],
        "needs": needs,
        "pins": pins or [],
        "forbid": forbid or [],
    }


def deeds_by_need(solution: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["need"]: d for d in solution.get("deeds", [])}


def reasons_by_need(solution: dict[str, Any]) -> dict[str, list[str]]:
    return {u["need"]: list(u.get("reasons", [])) for u in solution.get("unmatched", [])}


def names(entries: list[Any], *needles: str) -> bool:
    """True when one error or conflict entry mentions every needle (id or path fragment)."""
    for entry in entries:
        text = str(entry)
        if all(n in text for n in needles):
            return True
    return False


def load_generator() -> Any:
    """benchmarks/gen_matching.py as a module (benchmarks/ is not a package)."""
    import importlib.util
    import sys
    from pathlib import Path

    name = "sandan_bench_gen_matching"
    if name in sys.modules:
        return sys.modules[name]
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "gen_matching.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def fixed_work(d: dict[str, Any], lns_rounds: int, parallel: int = 2) -> dict[str, Any]:
    """A work record for `d` that fixes what a run does on any machine, however loaded: small
    components keep their greedy answer; each large component gets its whole LP, every
    decomposition region, then `lns_rounds` LNS rounds, `parallel` in flight. Given to
    `solve(..., replay=...)`, the clock decides nothing. Independent parts get a record each."""
    import threading

    from sandan.matching import parse_instance, solve
    from sandan.matching.parts import part_instance, split
    from sandan.matching.tree import Tree

    inst = parse_instance(d)
    specs = split(inst, Tree(inst))
    if len(specs) > 1:
        return {"parts": [fixed_work(part_instance(d, s), lns_rounds, parallel) for s in specs]}
    # A run cancelled before it starts still records the shape of the work (its exact batches
    # and large components), and its stats name the LP parts and the regions of the component.
    cancel = threading.Event()
    cancel.set()
    shape = solve(copy.deepcopy(d), cancel=cancel)
    work: dict[str, Any] = shape["stats"]["work"]
    assert len(work["large"]) <= 1, "the stats name the regions of one large component only"
    work["large"] = [
        {
            "lp": lp["parts"],
            "regions": shape["stats"]["regions"],
            "dropped": [],
            "lns": lns_rounds,
            "parallel": parallel,
        }
        for lp in shape["stats"].get("lp", [])
    ]
    return work
