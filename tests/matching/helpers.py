"""Builders for hand-made instances, shared by the matching tests."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandan.matching.assignment import Assignment
    from sandan.matching.problem import Problem

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


# The fields of each kind of entry, unless a builder is told otherwise.
PERSON = {
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
NEED = {
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
RESOURCE = {"reach": None, "kind": "VENUE", "categories": [], "capacity": 1, "available": None}


def _entry(ident: str, cell: str, defaults: dict[str, Any], kw: dict[str, Any]) -> dict[str, Any]:
    return {"id": ident, "cell": cell, **copy.deepcopy(defaults), **kw}


def person(pid: str, cell: str = "G1", **kw: Any) -> dict[str, Any]:
    """A person who may lead one deed and join one, reaching the whole tree, unless told."""
    return _entry(pid, cell, PERSON, kw)


def need(nid: str, cell: str = "G1", **kw: Any) -> dict[str, Any]:
    """A DAILY_LIFE need of priority 50 for a lead alone, for two hours, unless told."""
    return _entry(nid, cell, NEED, kw)


def resource(rid: str, cell: str = "B1", **kw: Any) -> dict[str, Any]:
    """One VENUE that serves every category, reaching the whole tree, unless told."""
    return _entry(rid, cell, RESOURCE, kw)


def two_needs_one_lead_pinned_to_both() -> dict[str, Any]:
    """Pins that cannot all hold: p1 (who may lead one deed) pinned as the lead of n1 and n2."""
    return instance(
        people=[person("p1", "G1"), person("p2", "G1")],
        needs=[need("n1", "G1"), need("n2", "G1")],
        pins=[
            {"need": "n1", "person": "p1", "role": "LEAD"},
            {"need": "n2", "person": "p1", "role": "LEAD"},
        ],
    )


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


def setter(*path: Any, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change that sets one value of an instance or solution, at a path of keys and indices."""

    def f(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return f


def optimal_solution(
    priority: int, distance: int, deeds: list[dict[str, Any]], unmatched: list[dict[str, Any]]
) -> dict[str, Any]:
    """A solution document that claims OPTIMAL with the given objective as its own bound."""
    return {
        "version": 1,
        "status": "OPTIMAL",
        "objective": {"priority": priority, "distance": distance},
        "bound": {"priority": priority},
        "deeds": deeds,
        "unmatched": unmatched,
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


def independent_towns(n: int, tied: bool = False) -> dict[str, Any]:
    """`n` towns of seven villages (~500 needs each: one large component per town); `tied`
    adds district-wide resources that tie the towns together."""
    gen = load_generator()
    gen.SCALES["_test"] = gen.Scale(n, (7, 7), 70, 194, 29, 2, 2, district_wide=tied)
    try:
        out: dict[str, Any] = gen.generate("_test", 1)
    finally:
        del gen.SCALES["_test"]
    return out


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


def town_state(seed: int) -> tuple[Problem, Assignment, list[list[int]]]:
    """A generated town after the greedy fill: its `Problem`, the greedy `Assignment` and the
    decomposition regions of all its needs (the start the LNS tests move from)."""
    import numpy as np

    from sandan.matching import parse_instance
    from sandan.matching.assignment import Assignment
    from sandan.matching.eligibility import build_arrays, generate
    from sandan.matching.greedy import Slices, greedy_fill, priority_order
    from sandan.matching.pins import group
    from sandan.matching.problem import Problem
    from sandan.matching.prune import prune
    from sandan.matching.tree import Tree, regions

    inst = parse_instance(load_generator().generate("town", seed))
    tree, arr = Tree(inst), build_arrays(inst)
    full = generate(inst, tree, arr)
    prob = Problem(inst, tree, arr, full, prune(full, arr, 20, 6, 10), group(inst), False)
    asg = Assignment(arr)
    greedy_fill(prob, Slices(prob), asg, priority_order(prob, range(len(inst.needs))))
    regs = regions(tree, arr.n_cell, np.arange(len(inst.needs), dtype=np.int64))
    return prob, asg, regs


def new_large_records(d: dict[str, Any]) -> list[dict[str, Any]]:
    """The work records a new run of `d` writes for its large components (a run cancelled
    before it starts still writes them, with the settings the search would use)."""
    import threading

    from sandan.matching import solve

    cancel = threading.Event()
    cancel.set()
    records: list[dict[str, Any]] = solve(copy.deepcopy(d), cancel=cancel)["stats"]["work"]["large"]
    return records


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
        parts = [fixed_work(part_instance(d, s), lns_rounds, parallel) for s in specs]
        return {"parts": parts, "bounds": True}
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
            "lean": True,
            "paced": True,
        }
        for lp in shape["stats"].get("lp", [])
    ]
    return work
