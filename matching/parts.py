"""Independent parts of an instance, solved side by side: in local processes or on a Dask cluster.

Parts are found from the cell tree alone, before any candidate pair is computed: a person or
resource serves only needs below its *reach cell*, so needs whose highest ancestor that is some
entity's reach cell differ can never share anyone. In a district whose people and resources stay
within their towns, each town is a part; a district-wide resource ties everything into one.

Each part is cut out as an instance of its own (its needs, the people and resources that can
serve them, every cell, its pins and forbids) and solved by `solve` in full. Parts are handed to
a `concurrent.futures.Executor`, `slots` at a time; each is given, when it starts, its share of
the time left by size (time a finished part leaves unused goes to the parts not started yet). The
answers are merged in part order, so which part finishes first never changes the answer.

Before any search, every part's bound is computed (partbound.py), so progress lines bound the
whole instance from early on; the LPs it solved go on to the part's search, not solved twice.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from typing import Any

import numpy as np

from .eligibility import IntArray
from .instance import Instance, ReplayError
from .lp import Guidance
from .partbound import PartBound
from .run import Run, Work
from .timeout import is_cut, out_of_time
from .tree import Tree

# Tiny parts are bundled until a bundle has this many needs (a CP-SAT call per village would
# cost more than it solves).
MIN_PART_NEEDS = 400
# Time a part is given less than its share, for shipping it out and its answer back.
PART_MARGIN = 0.3
# At most this share of the time left goes to every part's LP bound before any search starts
# (partbound.py), so progress lines bound the whole instance usefully from early on.
BOUND_SHARE = 0.25
# With less time left than this, the bounds phase is skipped: its fixed cost (worker start-up,
# each part's candidate pairs) would leave the searches too little; each part's search then
# computes its own LP when it has time. With 10-20 s left it still pays: eight towns at
# --time-limit 20 ran it with ~15 s left (2026-12-03: 526,283, median of 3; one run each with a
# 20 s threshold, which skipped it: 510,974 and 512,741).
BOUNDS_MIN_LEFT = 10.0
# A part of small components only (the bounds phase found no large one; without that phase every
# part gets its share by size) is solved exactly, batch by batch, and stops once they are
# proved; a batch its share cannot prove keeps its greedy answer. Such a part may run into the
# shares of the parts still to start, up to ELASTIC_FACTOR times its own share, leaving them at
# least ELASTIC_RESERVE of theirs: 24 independent towns of ~216 needs at --time-limit 29 had 5-7
# of their 21 batches cut short (greedy answers, 97.5-97.8% of the LP) and ended at about 20 s,
# time the proved parts left unused (BENCHMARKS.md, "Parts of small components").
ELASTIC_FACTOR = 3.0
ELASTIC_RESERVE = 0.5
# Seconds between progress lines while parts run.
REPORT_EVERY = 0.25


@dataclass
class Spec:
    """One part: indices of its needs, people and resources in the whole instance."""

    needs: IntArray
    people: IntArray
    resources: IntArray


def split(inst: Instance, tree: Tree) -> list[Spec]:
    """The instance's independent parts by the cell tree, tiny ones bundled, in need order.

    One part (nothing to split) when everything is tied together, and also when a pin names a
    person outside its need's part (the whole instance then reports the conflict)."""
    p_cell = np.array([p.cell for p in inst.people], dtype=np.int64)
    r_cell = np.array([r.cell for r in inst.resources], dtype=np.int64)
    p_reach = tree.reach_cell(p_cell, np.array([p.reach for p in inst.people], dtype=np.int64))
    r_reach = tree.reach_cell(r_cell, np.array([r.reach for r in inst.resources], dtype=np.int64))
    marked = np.zeros(len(inst.cells), dtype=bool)
    marked[p_reach] = True
    marked[r_reach] = True
    # key[c]: the highest ancestor-or-self of c that is some entity's reach cell (-1: none).
    key = np.full(len(inst.cells), -1, dtype=np.int64)
    for c in tree.order.tolist():
        parent = int(tree.parent[c])
        key[c] = key[parent] if parent >= 0 and key[parent] >= 0 else (c if marked[c] else -1)
    n_key = key[np.array([n.cell for n in inst.needs], dtype=np.int64)]
    p_key, r_key = key[p_reach], key[r_reach]
    everything = Spec(
        np.arange(len(inst.needs)), np.arange(len(inst.people)), np.arange(len(inst.resources))
    )
    if any(p_key[pin.person] != n_key[pin.need] for pin in inst.pins):
        return [everything]
    keys, first = np.unique(n_key, return_index=True)
    bundles: list[list[int]] = [[]]
    size = 0
    for k in keys[np.argsort(first)].tolist():
        if size >= MIN_PART_NEEDS:
            bundles.append([])
            size = 0
        bundles[-1].append(k)
        size += int((n_key == k).sum())
    if len(bundles) < 2:
        return [everything]
    specs = []
    for ks in bundles:
        mine = np.array(ks, dtype=np.int64)
        specs.append(
            Spec(
                np.flatnonzero(np.isin(n_key, mine)),
                np.flatnonzero(np.isin(p_key, mine)),
                np.flatnonzero(np.isin(r_key, mine)),
            )
        )
    return specs


def part_instance(raw: dict[str, Any], spec: Spec) -> dict[str, Any]:
    """One part as an instance of its own (`raw`: the whole instance as given)."""
    needs = [raw["needs"][n] for n in spec.needs.tolist()]
    people = [raw["people"][p] for p in spec.people.tolist()]
    need_ids = {n["id"] for n in needs}
    person_ids = {p["id"] for p in people}
    return {
        "version": raw.get("version", 1),
        "cells": raw["cells"],
        "people": people,
        "resources": [raw["resources"][r] for r in spec.resources.tolist()],
        "needs": needs,
        "pins": [p for p in raw.get("pins") or [] if p["need"] in need_ids],
        "forbid": [
            f
            for f in raw.get("forbid") or []
            if f["need"] in need_ids and f["person"] in person_ids
        ],
    }


def solve_parts(
    run: Run,
    raw: dict[str, Any],
    specs: list[Spec],
    executor: Executor,
    slots: int,
    solve_part: Callable[[dict[str, Any]], dict[str, Any]],
    bound_part: Callable[[dict[str, Any]], PartBound] | None = None,
) -> list[dict[str, Any]]:
    """Every part's solution, in part order, through `executor`, `slots` parts at a time.

    With `bound_part`, every part's bound is computed first, each part counting by its
    single-need bound until it has one; the LPs it computed go to the part's search in its
    payload (`lp`), which uses them instead of solving them again."""
    n = len(specs)
    replay = run.replay
    if replay is not None and len(replay.get("parts", [])) != n:
        raise ReplayError("the work record's parts do not match this instance")
    weights = [float(len(s.needs)) for s in specs]
    progress = getattr(executor, "progress", None)
    best = [0] * n
    # Until a part reports its own, its bound is the sum of its needs' priorities.
    pri = np.array([need.priority for need in run.inst.needs], dtype=np.float64)
    bound = [float(pri[s.needs].sum()) for s in specs]
    lps: list[list[Guidance]] = [[] for _ in specs]
    small_only = [False] * n  # known from the bounds phase
    if replay is not None:
        with_bounds = bool(replay.get("bounds", True))
    else:
        with_bounds = run.left() >= BOUNDS_MIN_LEFT
    if bound_part is not None and with_bounds:  # it sets run.stats["bounds"]
        bounds_first(run, raw, specs, executor, slots, bound_part, bound, lps, small_only)
    # A part's own reports start from its single-need bound again: keep the lower of the two.
    ceiling = list(bound)
    results: list[dict[str, Any] | None] = [None] * n
    limits = [0.0] * n  # seconds each part was given

    def cut(i: int) -> None:
        results[i] = out_of_time({"needs": [raw["needs"][k] for k in specs[i].needs.tolist()]}, 0)
        best[i], bound[i] = 0, ceiling[i]

    running: dict[Future[dict[str, Any]], tuple[int, float]] = {}  # future -> (part, its end)
    todo = list(range(n))
    last = 0.0
    while todo or running:
        while todo and len(running) < slots:
            i = todo.pop(0)
            now = time.monotonic()
            if is_cut(None if replay is None else replay["parts"][i]) or now >= run.end:
                cut(i)  # no time left to start it (or its record says so)
                continue
            left = max(0.0, run.left())
            free = slots * left - sum(max(0.0, end - now) for _, end in running.values())
            share = part_share(free, weights[i], sum(weights[j] for j in todo), small_only[i])
            limit = max(0.1, min(left, share) - PART_MARGIN)
            limits[i] = limit
            payload = {
                "instance": part_instance(raw, specs[i]),
                "index": i,
                "time_limit": limit,
                "dispatched": time.time(),
                "workers": max(1, run.workers // slots),
                "seed": run.seed,
                "replay": None if replay is None else replay["parts"][i],
                "lp": lps[i],
                "max_pairs": run.max_pairs,
            }
            lps[i] = []  # the part's search holds them now
            running[executor.submit(solve_part, payload)] = (i, now + limit)
        done, _ = wait(list(running), timeout=REPORT_EVERY, return_when=FIRST_COMPLETED)
        for f in done:
            i, _ = running.pop(f)
            results[i] = sol = f.result()
            sol["stats"]["time_limit"] = round(limits[i], 2)
            best[i] = int(sol["objective"]["priority"])
            bound[i] = min(ceiling[i], float(sol["bound"]["priority"]))
        if running and time.monotonic() >= run.hard_end:
            # Parts still running past the run's end would break the time limit: cut them off
            # (their needs unmatched, TIME_LIMIT) and stop their workers.
            for f, (i, _) in sorted(running.items(), key=lambda item: item[1][0]):
                f.cancel()
                cut(i)
            running.clear()
            stop_now = getattr(executor, "stop_now", None)
            if stop_now is not None:
                stop_now()
        while progress is not None:
            try:
                i, b, u = progress.get_nowait()
            except queue.Empty:
                break
            if results[i] is None:
                best[i], bound[i] = b, min(ceiling[i], u)
        if time.monotonic() - last >= REPORT_EVERY or not (todo or running):
            last = time.monotonic()
            run.report("parts", sum(best), sum(bound), force=True)
    return [r for r in results if r is not None]


def part_share(free: float, weight: float, later: float, elastic: bool) -> float:
    """Seconds a part may take of `free` (seconds of every slot not held by running parts):
    its share by weight among itself and the parts still to start (total weight `later`), or,
    when `elastic` (small components only), more, as ELASTIC_FACTOR and ELASTIC_RESERVE allow."""
    share = free * weight / max(1e-9, weight + later)
    if not elastic:
        return share
    return min(ELASTIC_FACTOR * share, free - ELASTIC_RESERVE * (free - share))


def bounds_first(
    run: Run,
    raw: dict[str, Any],
    specs: list[Spec],
    executor: Executor,
    slots: int,
    bound_part: Callable[[dict[str, Any]], PartBound],
    bound: list[float],
    lps: list[list[Guidance]],
    small_only: list[bool],
) -> None:
    """Lower `bound` (per part) to each part's own bound and keep its LPs in `lps`, `slots`
    parts at a time, in at most `BOUND_SHARE` of the time left; a progress line after each.
    `small_only[i]`: set when part i has no large component.

    When replaying, each part follows its record (the LP parts its search solved)."""
    t0 = time.monotonic()
    total = float(sum(len(s.needs) for s in specs))
    budget = slots * BOUND_SHARE * max(0.0, run.left())
    replay = run.replay
    todo = list(range(len(specs)))
    running: dict[Future[PartBound], int] = {}
    while todo or running:
        while todo and len(running) < slots:
            i = todo.pop(0)
            payload = {
                "instance": part_instance(raw, specs[i]),
                "time_limit": max(0.1, budget * len(specs[i].needs) / total - PART_MARGIN),
                "dispatched": time.time(),
                "workers": max(1, run.workers // slots),
                "seed": run.seed,
                "replay": None if replay is None else replay["parts"][i],
                "max_pairs": run.max_pairs,
            }
            running[executor.submit(bound_part, payload)] = i
        done, _ = wait(list(running), return_when=FIRST_COMPLETED)
        for f in done:
            i = running.pop(f)
            got = f.result()
            bound[i] = min(bound[i], got.bound)
            lps[i] = got.lp
            small_only[i] = got.large == 0
        run.report("bounds", 0, sum(bound), force=True)
    run.stats["bounds"] = {
        "seconds": round(time.monotonic() - t0, 2),
        "lp": sum(len(x) for x in lps),  # LPs computed, one per large component of each part
    }


def merge(sols: list[dict[str, Any]], need_order: dict[str, int]) -> tuple[dict[str, Any], Work]:
    """One solution from the parts' solutions (given in part order), entries in need order;
    and the work record of the whole: the parts' records, in part order."""
    work: Work = {"parts": [s["stats"].get("work") for s in sols]}
    conflicts = [c for s in sols for c in s.get("conflicts") or []]
    out: dict[str, Any] = {
        "version": 1,
        "status": "OPTIMAL" if all(s["status"] == "OPTIMAL" for s in sols) else "FEASIBLE",
        "objective": {
            "priority": sum(s["objective"]["priority"] for s in sols),
            "distance": sum(s["objective"]["distance"] for s in sols),
        },
        "bound": {"priority": sum(s["bound"]["priority"] for s in sols)},
        "deeds": sorted((d for s in sols for d in s["deeds"]), key=lambda d: need_order[d["need"]]),
        "unmatched": sorted(
            (u for s in sols for u in s["unmatched"]), key=lambda u: need_order[u["need"]]
        ),
        "stats": {},
    }
    if conflicts:  # as a solve of the whole instance answers: no deeds, the conflicting pins
        out.update(status="INFEASIBLE_PINS", deeds=[], unmatched=[], conflicts=conflicts)
        out["objective"] = {"priority": 0, "distance": 0}
        out["bound"] = {"priority": 0}
    return out, work
