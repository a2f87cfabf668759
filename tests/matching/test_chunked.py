"""Candidate pairs made a chunk of needs at a time (chunked.py): the same pairs as made at once;
cut short by the clock, the needs not reached are unmatched for TIME_LIMIT, every bound counts
their whole priority, pinned needs are never among them, and the replay repeats the cut."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from sandan.matching import chunked, parse_instance, solve
from sandan.matching.chunked import generate_until
from sandan.matching.eligibility import Arrays, Candidates, Pairs, build_arrays, generate
from sandan.matching.instance import Instance
from sandan.matching.timeout import TIME_LIMIT
from sandan.matching.tree import Tree

from .helpers import load_generator
from .test_time_limit import _valid_but_cut_pins


def _same(a: Pairs, b: Pairs) -> None:
    for field in ("need", "ent", "dist", "ptr"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field


@pytest.fixture(scope="module")
def pinned_town() -> dict[str, Any]:
    d: dict[str, Any] = load_generator().generate("pinned", 1)
    return d


@dataclass
class _Town:
    inst: Instance
    tree: Tree
    arr: Arrays
    whole: Candidates  # every pair, made at once
    pinned: list[int]


@pytest.fixture(scope="module")
def town(pinned_town: dict[str, Any]) -> _Town:
    inst = parse_instance(pinned_town)
    tree, arr = Tree(inst), build_arrays(inst)
    pinned = sorted({p.need for p in inst.pins})
    return _Town(inst, tree, arr, generate(inst, tree, arr), pinned)


def test_pairs_made_in_chunks_are_the_pairs_made_at_once(
    town: _Town, monkeypatch: pytest.MonkeyPatch
) -> None:
    inst, tree, arr, whole, pinned = town.inst, town.tree, town.arr, town.whole, town.pinned
    assert pinned and len(inst.needs) > 3 * 97
    monkeypatch.setattr(chunked, "CHUNK_NEEDS", 97)  # many chunks, pinned needs in most
    monkeypatch.setattr(chunked, "MAX_CHUNKS", 1000)
    # Under AT_ONCE_ABOVE seconds left, so the pairs are made in chunks.
    parts, reached, cut, _ = generate_until(inst, tree, arr, pinned, lambda: 10.0)
    assert reached == len(inst.needs) and not cut.any()
    for kind in ("lead", "team", "res"):
        _same(getattr(parts, kind), getattr(whole, kind))
    assert np.array_equal(parts.team_rule_count, whole.team_rule_count)


def test_a_cut_leaves_the_needs_not_reached_without_pairs(
    town: _Town, monkeypatch: pytest.MonkeyPatch
) -> None:
    inst, tree, arr, whole, pinned = town.inst, town.tree, town.arr, town.whole, town.pinned
    monkeypatch.setattr(chunked, "CHUNK_NEEDS", 500)
    parts, reached, cut, _ = generate_until(inst, tree, arr, pinned, lambda: 10.0, upto=1000)
    assert reached == 1000
    expect = np.arange(len(inst.needs)) >= 1000
    expect[pinned] = False  # pinned needs first, wherever they are
    assert np.array_equal(cut, expect)
    kept = ~cut[whole.team.need]
    assert np.array_equal(parts.team.need, whole.team.need[kept])
    assert np.array_equal(parts.team.ent, whole.team.ent[kept])
    # The clock already out: the pinned needs only.
    _, reached, cut, _ = generate_until(inst, tree, arr, pinned, lambda: -1.0)
    assert reached == 0 and int((~cut).sum()) == len(pinned)


def test_a_run_cut_short_in_its_pairs_answers_and_bounds_honestly(
    pinned_town: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replaying a record whose pairs stopped at need 1,000 (as a short limit does)."""
    d = pinned_town
    monkeypatch.setattr(chunked, "CHUNK_NEEDS", 500)
    shape = solve(copy.deepcopy(d), workers=1, time_limit=5)
    work = copy.deepcopy(shape["stats"]["work"])
    work["candidates"] = 1000
    for rec in work["large"]:
        rec.update(lp=0, priced=[], regions=-1, dropped=[], lns=0)
    sol = solve(copy.deepcopy(d), workers=1, replay=work)
    pinned = {p["need"] for p in d["pins"]}
    reached = {n["id"] for n in d["needs"][:1000]} | pinned
    cut = {u["need"] for u in sol["unmatched"] if u["reasons"] == [TIME_LIMIT]}
    assert cut == {n["id"] for n in d["needs"]} - reached
    assert _valid_but_cut_pins(d, sol) and not (cut & pinned)
    assert {x["need"] for x in sol["deeds"]} <= reached
    assert sol["status"] == "FEASIBLE" and sol["stats"]["work"] == work
    cut_priority = sum(n["priority"] for n in d["needs"] if n["id"] in cut)
    assert sol["bound"]["priority"] >= sol["objective"]["priority"] + cut_priority
    again = solve(copy.deepcopy(d), workers=1, replay=work)
    assert again["deeds"] == sol["deeds"] and again["unmatched"] == sol["unmatched"]
