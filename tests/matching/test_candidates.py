"""Candidate generation (`eligibility.generate`) against a brute force over every pair.

`generate` packs need, distance, tie-break and entity into one int64 per pair, sorts those and
reads them back, makes pairs only for the categories an entity serves, and takes distances from
a difference array over its slices. The reference here does none of that: it walks the cell tree
in Python for every (need, entity), applies the contract's rules one by one and sorts tuples. The
two must agree array for array (need, entity, distance, CSR pointers, dtype) and on the counts
kept to explain HOURS_SHORT, on generated shapes shrunk to a few villages and on hand-made
corner cases (forests, households, forbids, empty capacity, fractional hours).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sandan.matching import eligibility, parse_instance
from sandan.matching.eligibility import Candidates, Pairs, build_arrays, generate
from sandan.matching.instance import Instance
from sandan.matching.tree import Tree

from .helpers import CELLS_FOREST, instance, load_generator, need, person, resource

Row = tuple[int, int, int, int]  # (need, distance, tie-break, entity)


def _path(inst: Instance, c: int) -> list[int]:
    out = [c]
    while inst.cells[out[-1]].parent >= 0:
        out.append(inst.cells[out[-1]].parent)
    return out[::-1]  # root first


def _reaches(inst: Instance, cell: int, reach: int, target: int) -> bool:
    """Whether `target` lies under the reach cell of an entity at `cell`: its nearest ancestor
    at or above level `reach` (the root when there is none, or when reach is null)."""
    up = _path(inst, cell)
    top = up[0]
    if reach >= 0:
        at_or_above = [c for c in up if inst.cells[c].level <= reach]
        top = at_or_above[-1] if at_or_above else up[0]
    return top in _path(inst, target)


def _dist(inst: Instance, a: int, b: int) -> int:
    pa, pb = _path(inst, a), _path(inst, b)
    common = sum(1 for x, y in zip(pa, pb, strict=False) if x == y)
    return len(pa) + len(pb) - 2 * common


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _pairs(rows: list[Row], n_needs: int) -> Pairs:
    rows.sort()
    need = np.array([r[0] for r in rows], dtype=np.int64).reshape(len(rows))
    ent = np.array([r[3] for r in rows], dtype=np.int64).reshape(len(rows))
    dist = np.array([r[1] for r in rows], dtype=np.int64).reshape(len(rows))
    ptr = np.zeros(n_needs + 1, dtype=np.int64)
    for r in rows:
        ptr[r[0] + 1] += 1
    return Pairs(need, ent, dist, np.cumsum(ptr))


def reference(inst: Instance) -> Candidates:
    """The contract's rules, pair by pair."""
    arr = build_arrays(inst)
    lead: list[Row] = []
    team: list[Row] = []
    res: list[Row] = []
    rule = np.zeros(len(inst.needs), dtype=np.int64)
    for n, nd in enumerate(inst.needs):
        for e, p in enumerate(inst.people):
            if not (
                _reaches(inst, p.cell, p.reach, nd.cell)
                and (p.categories >> nd.category) & 1
                and _overlap(p.available, nd.window)
                and not (nd.household and nd.household == p.household)
                and (n, e) not in inst.forbid
            ):
                continue
            d = _dist(inst, p.cell, nd.cell)
            if nd.lead and arr.p_lead[e] >= 1:
                lead.append((n, d, 0, e))
            if nd.volunteers >= 1:
                rule[n] += 1
                if p.max_deeds >= 1 and arr.p_hours[e] >= arr.n_hours[n]:
                    key = (4 if arr.p_lead[e] > 0 else 0) + min(3, len(arr.p_skills[e]))
                    team.append((n, d, key, e))
        kinds = {k for k, _ in nd.items}
        for e, r in enumerate(inst.resources):
            if (
                r.kind in kinds
                and r.capacity > 0
                and _reaches(inst, r.cell, r.reach, nd.cell)
                and (r.categories >> nd.category) & 1
                and _overlap(r.available, nd.window)
            ):
                res.append((n, _dist(inst, r.cell, nd.cell), -r.capacity, e))
    k = len(inst.needs)
    return Candidates(_pairs(lead, k), _pairs(team, k), _pairs(res, k), rule)


def assert_same(got: Candidates, want: Candidates) -> None:
    for role in ("lead", "team", "res"):
        g, w = getattr(got, role), getattr(want, role)
        for field in ("need", "ent", "dist", "ptr"):
            a, b = getattr(g, field), getattr(w, field)
            assert a.dtype == np.int64, (role, field, a.dtype)
            assert np.array_equal(a, b), (role, field)
    assert got.team_rule_count.dtype == np.int64
    assert np.array_equal(got.team_rule_count, want.team_rule_count)


def _check(d: dict[str, Any]) -> Candidates:
    inst = parse_instance(d)
    got = generate(inst, Tree(inst), build_arrays(inst))
    assert_same(got, reference(inst))
    return got


SMALL = {"villages": (2, 2)}  # two villages: every shape's rules, a few hundred thousand checks


@pytest.mark.parametrize(
    ("shape", "seed", "overrides"),
    [
        ("tiny", 1, {}),
        ("tiny", 2, {}),
        ("village", 1, {}),
        ("village", 2, {}),
        ("scarce", 1, SMALL),
        ("pinned", 1, {"villages": (2, 2), "pins": 20, "forbids": 60}),
        ("noskills", 2, SMALL),
        ("onecomp", 1, SMALL),  # reach mostly the whole town
        ("longperiod", 1, SMALL),  # windows of 1-3 days: the time test decides most pairs
        ("noleads", 1, SMALL),  # needs with no lead and no team have no person's pair
        ("district", 1, {"towns": 2, "villages": (1, 2)}),  # district-wide (null) reach
    ],
)
def test_generate_equals_the_brute_force(shape: str, seed: int, overrides: dict[str, Any]) -> None:
    got = _check(load_generator().generate(shape, seed, **overrides))
    assert len(got.lead) + len(got.team) > 0


def test_corner_cases_equal_the_brute_force() -> None:
    """A forest (a tree rooted below TOWN skipping a level), households, forbids, a resource
    without capacity, fractional hours, people who may not lead or take a deed, reach levels."""
    people = [
        person("p1", "G1", reach="GROUP", household="h1"),
        person("p2", "G2", reach="BRANCH", categories=["SAFETY"], hours=1.5),
        person("p3", "G4", reach="TOWN", party_member=False, skills=["cooking", "legal"]),
        person("p4", "B3", reach="VILLAGE", max_deeds=0, max_lead=2),
        person("p5", "V1", reach=None, available=["2026-05-01", "2026-05-03"]),
        person("p6", "G4", reach="GROUP", household="h2", max_lead=0),
    ]
    needs = [
        need(
            "n1", "G1", household="h1", volunteers=2, resources=[{"kind": "VENUE", "quantity": 1}]
        ),
        need("n2", "G2", volunteers=3, hours=1.25, window=["2026-05-02", "2026-05-09"]),
        need("n3", "G4", lead=False, volunteers=0, resources=[{"kind": "VENUE", "quantity": 1}]),
        need("n4", "B3", category="SAFETY", volunteers=1, skills=["cooking"]),
        need("n5", "V1", window=["2026-06-01", "2026-06-02"], household="h2"),
        need("n6", "G4", volunteers=2, resources=[{"kind": "FUNDS", "quantity": 2}]),
        need("n7", "G4", volunteers=1, hours=0),  # no hours: p4 (no deeds) must still not fit
    ]
    resources = [
        resource("r1", "B1", capacity=0),
        resource("r2", "G4", reach="GROUP", capacity=3),
        resource("r3", "V2", kind="FUNDS", capacity=10**9),
        resource("r4", "V2", kind="VENUE", capacity=7),
        resource("r5", "G1", reach="BRANCH", kind="VENUE", available=["2026-07-01", "2026-07-02"]),
    ]
    forbid = [{"need": "n2", "person": "p5"}, {"need": "n6", "person": "p3"}]
    got = _check(instance(people, needs, resources, forbid=forbid, cells=CELLS_FOREST))
    assert len(got.lead) and len(got.team) and len(got.res)


def test_packed_order_equals_lexsort_and_wide_numbers_fall_back() -> None:
    """The packed sort against the lexsort it replaces, on random pairs: tie-breaks that fit the
    spare bits (packed) and tie-breaks of 2^50 (too wide: the lexsort itself is the fallback)."""
    rng = np.random.default_rng(7)
    n_needs, n_ent = 300, 900
    idx = rng.choice(n_needs * n_ent, size=20_000, replace=False)
    need, ent = idx // n_ent, idx % n_ent
    dist = rng.integers(0, 9, size=len(idx))
    everything = np.ones(len(idx), dtype=bool)
    for tiebreak in (rng.integers(-3, 5, size=n_ent), rng.integers(0, 2**50, size=n_ent)):
        keep = rng.random(len(idx)) < 0.7
        # None (all pairs) first: a later subset must not see the pairs sorted in place.
        subsets = [(None, -tiebreak), (keep, tiebreak)]
        got = eligibility._sorted_pairs(need, ent, dist.copy(), subsets, n_needs)  # consumed
        for p, (k, t) in zip(got, [(everything, -tiebreak), (keep, tiebreak)], strict=True):
            order = np.lexsort((ent[k], t[ent[k]], dist[k], need[k]))
            assert np.array_equal(p.need, need[k][order])
            assert np.array_equal(p.ent, ent[k][order])
            assert np.array_equal(p.dist, dist[k][order])
            assert np.array_equal(p.ptr, eligibility._ptr(need[k][order], n_needs))


def _with_pairs_reference(
    c: Candidates, full: Candidates, lead_keys: np.ndarray, team_keys: np.ndarray, n_people: int
) -> Candidates:
    """`prune.with_pairs` by its docstring, over every pair: `c` plus the named pairs of `full`
    not in it, each need's pairs sorted by (distance, entity)."""

    def merge(kept: Pairs, whole: Pairs, keys: np.ndarray) -> Pairs:
        have = set(zip(kept.need.tolist(), kept.ent.tolist(), strict=True))
        named = set(keys.tolist())
        rows = list(zip(kept.need.tolist(), kept.dist.tolist(), kept.ent.tolist(), strict=True))
        whole_rows = zip(whole.need.tolist(), whole.ent.tolist(), whole.dist.tolist(), strict=True)
        for n, e, d in whole_rows:
            if n * n_people + e in named and (n, e) not in have:
                rows.append((n, d, e))
        rows.sort()
        need = np.array([r[0] for r in rows], dtype=np.int64)
        ptr = np.zeros(len(whole.ptr), dtype=np.int64)
        np.cumsum(np.bincount(need, minlength=len(whole.ptr) - 1), out=ptr[1:])
        return Pairs(
            need,
            np.array([r[2] for r in rows], dtype=np.int64),
            np.array([r[1] for r in rows], dtype=np.int64),
            ptr,
        )

    return Candidates(
        merge(c.lead, full.lead, lead_keys), merge(c.team, full.team, team_keys), c.res, 0
    )


def test_added_pairs_equal_the_reference() -> None:
    """Pins and pricing add named pairs to the pruned candidates (`prune.with_pairs`): only the
    named needs' pairs are read, and the result is what reading every pair gives."""
    from sandan.matching.prune import prune, with_pairs

    d = load_generator().generate("town", 2, villages=(3, 3))
    inst = parse_instance(d)
    tree, arr = Tree(inst), build_arrays(inst)
    full = generate(inst, tree, arr)
    kept = prune(full, arr, 4, 2, 3)
    n_people = len(inst.people)
    rng = np.random.default_rng(7)
    for trial in range(6):
        picks = []
        for whole, near in ((full.lead, kept.lead), (full.team, kept.team)):
            some = rng.choice(len(whole), size=min(len(whole), 5 * (trial + 1)), replace=False)
            keys = whole.need[some] * n_people + whole.ent[some]
            # Named pairs already kept are no-ops.
            keys = np.concatenate([keys, near.need[:3] * n_people + near.ent[:3]])
            picks.append(np.unique(keys))
        got = with_pairs(kept, full, picks[0], picks[1], n_people)
        want = _with_pairs_reference(kept, full, picks[0], picks[1], n_people)
        for a, b in ((got.lead, want.lead), (got.team, want.team)):
            assert np.array_equal(a.need, b.need) and np.array_equal(a.ent, b.ent)
            assert np.array_equal(a.dist, b.dist) and np.array_equal(a.ptr, b.ptr)
        assert len(got.lead) + len(got.team) > len(kept.lead) + len(kept.team)
    empty = np.zeros(0, dtype=np.int64)
    same = with_pairs(kept, full, empty, empty, n_people)
    assert same.lead is kept.lead and same.team is kept.team
