"""The pair budget (budget.py): an instance with more candidate pairs than the budget keeps a
subset of its real pairs, with their true distances; the needs that lost any are flagged, pinned
needs lose none, chunks keep the same pairs as made at once, a flat instance spreads what it
keeps over every need; a capped solve is valid, its bound still holds the optimum of all pairs,
it is never called optimal, and its replay (without the setting) repeats it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sandan.matching import chunked, parse_instance, solve
from sandan.matching.budget import CANDIDATES_CAPPED, BudgetError, max_pairs
from sandan.matching.check import check
from sandan.matching.chunked import generate_until
from sandan.matching.cli import main
from sandan.matching.eligibility import (
    Arrays,
    Candidates,
    Pairs,
    build_arrays,
    generate,
    generate_for,
    prepare,
)
from sandan.matching.instance import Instance, ReplayError
from sandan.matching.run import check_work
from sandan.matching.tree import Tree

from .helpers import independent_towns, load_generator

KINDS = ("lead", "team", "res")


def _triples(p: Pairs, needs: np.ndarray | None = None) -> set[tuple[int, int, int]]:
    keep = np.ones(len(p), dtype=bool) if needs is None else np.isin(p.need, needs)
    return set(zip(p.need[keep].tolist(), p.ent[keep].tolist(), p.dist[keep].tolist(), strict=True))


@pytest.fixture(scope="module")
def pinned_town() -> dict[str, Any]:
    # Two villages, pins and forbids: every rule a pair passes, a few thousand pairs.
    d: dict[str, Any] = load_generator().generate("pinned", 1, villages=(3, 3), pins=20)
    return d


def _every_pair(d: dict[str, Any]) -> tuple[Instance, Tree, Arrays, Candidates]:
    inst = parse_instance(d)
    tree, arr = Tree(inst), build_arrays(inst)
    return inst, tree, arr, generate(inst, tree, arr)


def test_kept_pairs_are_real_pairs_and_the_needs_that_lost_any_are_capped(
    pinned_town: dict[str, Any],
) -> None:
    inst, tree, arr, full = _every_pair(pinned_town)
    budget = (len(full.team) + len(full.res)) // 3
    prep = prepare(inst, tree, arr, budget)
    kept = generate_for(prep, np.arange(len(inst.needs), dtype=np.int64))
    capped, pinned = prep.thinning.capped, sorted({p.need for p in inst.pins})
    assert pinned and capped.any() and not capped.all()
    lost = np.zeros(len(inst.needs), dtype=bool)
    for kind in KINDS:
        a, b = getattr(full, kind), getattr(kept, kind)
        assert _triples(b) <= _triples(a), kind  # same pairs, same distances
        lost |= np.diff(b.ptr) < np.diff(a.ptr)
        # Pinned needs keep every pair, whatever the budget: a pin must find its person.
        assert _triples(b, np.array(pinned)) == _triples(a, np.array(pinned)), kind
    assert lost.any()
    assert not (lost & ~capped).any()  # a need that lost a pair is flagged
    assert not capped[pinned].any()
    # Within the budget, which counts the pairs of needs not pinned before the time, hours and
    # household tests (a person's pair as lead and as member is one), and the windows are as
    # wide as the budget allows, not far narrower.
    free = [{t[:2] for t in _triples(getattr(kept, k)) if t[0] not in pinned} for k in KINDS]
    assert len(free[0] | free[1]) + len(free[2]) <= budget
    assert len(free[1]) + len(free[2]) > budget // 3


def test_chunks_under_a_budget_keep_the_pairs_made_at_once(
    pinned_town: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    inst, tree, arr, every = _every_pair(pinned_town)
    budget = (len(every.team) + len(every.res)) // 4
    at_once = generate(inst, tree, arr, budget)
    monkeypatch.setattr(chunked, "CHUNK_NEEDS", 37)
    monkeypatch.setattr(chunked, "MAX_CHUNKS", 1000)
    pins = sorted({p.need for p in inst.pins})
    got, reached, cut, capped = generate_until(inst, tree, arr, pins, lambda: 1.0, None, budget)
    assert reached == len(inst.needs) and not cut.any() and capped.any()
    for kind in KINDS:
        a, b = getattr(at_once, kind), getattr(got, kind)
        for field in ("need", "ent", "dist", "ptr"):
            assert np.array_equal(getattr(a, field), getattr(b, field)), (kind, field)


def test_a_flat_town_under_a_budget_spreads_its_pairs_over_every_need() -> None:
    """Everyone in one cell: every window would start at the same need without the draw that
    places it, and the needs past the first windows would have no one."""
    inst, tree, arr, full = _every_pair(load_generator().generate("flattown", 1, villages=(4, 4)))
    kept = generate(inst, tree, arr, (len(full.team) + len(full.res)) // 10)
    assert len(kept.team) < len(full.team) // 5
    before, after = np.diff(full.team.ptr), np.diff(kept.team.ptr)
    category = np.array([n.category for n in inst.needs])
    had = before > 0
    had[[p.need for p in inst.pins]] = False  # they keep every pair
    assert (after[had] > 0).all()
    # Within a category (one slice per person), what the needs keep is of a size.
    for c in np.unique(category):
        got = after[had & (category == c)]
        if len(got) >= 10:
            assert np.percentile(got, 5) >= 0.25 * np.median(got), c


def _solution(sol: dict[str, Any]) -> str:
    return json.dumps({k: sol[k] for k in ("status", "objective", "bound", "deeds", "unmatched")})


def test_a_capped_solve_is_valid_its_bound_holds_and_its_replay_repeats_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    d = load_generator().generate("village", 1)
    optimum = solve(copy.deepcopy(d), workers=1)
    assert optimum["status"] == "OPTIMAL"
    inst, tree, arr, full = _every_pair(d)
    budget = (len(full.team) + len(full.res)) // 4
    monkeypatch.setenv("SANDAN_MAX_PAIRS", str(budget))
    sol = solve(copy.deepcopy(d), workers=1, time_limit=20)
    assert check(d, sol).ok
    assert sol["status"] == "FEASIBLE"  # the pairs left out were never looked at
    # The bound still holds what all pairs can do (the needs capped count in full).
    assert sol["bound"]["priority"] >= optimum["objective"]["priority"]
    assert sol["stats"]["work"]["max_pairs"] == budget
    capped = prepare(inst, tree, arr, budget).thinning.capped
    assert sol["stats"]["capped_needs"] == int(capped.sum())
    by_id = {n.id: i for i, n in enumerate(inst.needs)}
    why = {u["need"]: u["reasons"] for u in sol["unmatched"]}
    assert any(capped[by_id[n]] for n in why)
    for n, reasons in why.items():
        if capped[by_id[n]]:
            assert reasons in (["OUTPRIORITISED"], [CANDIDATES_CAPPED])
        else:
            assert CANDIDATES_CAPPED not in reasons
    monkeypatch.delenv("SANDAN_MAX_PAIRS")
    again = solve(copy.deepcopy(d), workers=1, replay=copy.deepcopy(sol["stats"]["work"]))
    assert _solution(again) == _solution(sol)


def test_a_capped_town_bounds_what_every_pair_can_do(monkeypatch: pytest.MonkeyPatch) -> None:
    """A large component's bound comes from its LP over the pairs kept: without the capped
    needs' priority on top it would claim less than an answer over every pair reaches."""
    d = independent_towns(1)
    uncapped = solve(copy.deepcopy(d), workers=2, time_limit=10)
    full = _every_pair(d)[3]
    monkeypatch.setenv("SANDAN_MAX_PAIRS", str((len(full.team) + len(full.res)) // 8))
    capped = solve(copy.deepcopy(d), workers=2, time_limit=10)
    assert check(d, capped).ok
    assert capped["stats"]["lp"]  # the bound went through an LP over the pairs kept
    assert capped["bound"]["priority"] >= uncapped["objective"]["priority"]


def test_parts_get_the_budget_of_the_solve_and_replay_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts solved in other processes (or on a cluster's machines, whose settings may differ)
    are given the budget where the solve started, and record it for the replay."""
    monkeypatch.setenv("SANDAN_MAX_PAIRS", "lots")  # read nowhere: the solve names its budget
    d = independent_towns(2)
    full = _every_pair(d)[3]
    budget = (len(full.team) + len(full.res)) // 16  # each town has about half of them
    sol = solve(copy.deepcopy(d), workers=2, time_limit=20, max_pairs=budget)
    assert check(d, sol).ok
    parts = sol["stats"]["work"]["parts"]
    assert len(parts) == 2 and all(p.get("max_pairs") == budget for p in parts)
    work = copy.deepcopy(sol["stats"]["work"])
    again = solve(copy.deepcopy(d), workers=2, replay=work, max_pairs=10**9)
    assert _solution(again) == _solution(sol)
    with pytest.raises(ValueError, match="max_pairs"):
        solve(copy.deepcopy(d), max_pairs=0)


def test_a_bad_budget_is_refused_clearly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for bad in ("0", "-5", "lots", "1.5"):
        monkeypatch.setenv("SANDAN_MAX_PAIRS", bad)
        with pytest.raises(BudgetError, match="SANDAN_MAX_PAIRS"):
            max_pairs()
    with pytest.raises(ReplayError, match="max_pairs"):
        check_work({"exact": [], "large": [], "max_pairs": 0})
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(load_generator().generate("tiny", 1)), encoding="utf-8")
    monkeypatch.setenv("SANDAN_MAX_PAIRS", "lots")
    assert main(["solve", str(path), "-o", str(tmp_path / "s")]) == 1
    err = capsys.readouterr().err
    assert "SANDAN_MAX_PAIRS must be a positive whole number, not 'lots'" in err
    assert "Traceback" not in err
    assert not (tmp_path / "s").exists()


def test_the_server_and_the_worker_refuse_a_bad_budget_at_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Runs solve in the worker: a bad setting is refused when it starts, not run by run."""
    from sandan.cli import main as sandan_main

    monkeypatch.setenv("SANDAN_MAX_PAIRS", "-1")
    monkeypatch.chdir(tmp_path)
    for command in (["migrate"], ["worker"]):
        assert sandan_main(command) == 1
        assert (
            "SANDAN_MAX_PAIRS must be a positive whole number, not '-1'" in capsys.readouterr().err
        )
    assert list(tmp_path.iterdir()) == []  # no database file made
