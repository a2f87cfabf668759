"""benchmarks/gen_matching.py: deterministic, valid under the contract, and the promised shape."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sandan.matching.check import check
from sandan.matching.fields import CATEGORIES

from .helpers import load_generator

gen = load_generator()
GEN_PATH = Path(gen.__file__)


def _valid(inst: dict[str, Any]) -> list[str]:
    report = check(inst, {"version": 1, "status": "OPTIMAL", "deeds": [], "unmatched": []})
    return [str(v) for v in report.violations if v.rule == "INVALID_INSTANCE"]


@pytest.mark.parametrize("scale", ["tiny", "village", "town"])
def test_deterministic_and_seed_sensitive(scale: str) -> None:
    a = gen.generate(scale, 7)
    assert a == gen.generate(scale, 7)
    assert a != gen.generate(scale, 8)
    assert _valid(a) == []


def test_unknown_scale_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown scale"):
        gen.generate("metropolis", 1)


def test_village_shape() -> None:
    inst = gen.generate("village", 1)
    assert len(inst["needs"]) == 60
    assert len(inst["people"]) == 180
    assert len(inst["resources"]) == 25
    levels = Counter(c["level"] for c in inst["cells"])
    assert levels["TOWN"] == 1
    assert levels["VILLAGE"] == 1
    assert 5 <= levels["BRANCH"] <= 9
    assert 2 * levels["BRANCH"] <= levels["GROUP"] <= 3 * levels["BRANCH"]


def test_town_shape_and_mix() -> None:
    inst = gen.generate("town", 1)
    assert _valid(inst) == []
    levels = Counter(c["level"] for c in inst["cells"])
    assert levels["VILLAGE"] == 33
    assert 5 * 33 <= levels["BRANCH"] <= 9 * 33
    people, res, needs = inst["people"], inst["resources"], inst["needs"]
    assert 2000 <= len(needs) <= 2700
    assert 5600 <= len(people) <= 7300
    assert 800 <= len(res) <= 1100

    def share(items: list[dict[str, Any]], key: str, value: Any) -> float:
        return sum(1 for x in items if x[key] == value) / len(items)

    assert 0.035 <= share(people, "reach", "TOWN") <= 0.065
    assert 0.17 <= share(people, "reach", "VILLAGE") <= 0.23
    assert 0.10 <= share(res, "reach", "TOWN") <= 0.14
    assert 0.17 <= share(res, "reach", "VILLAGE") <= 0.23
    assert 0.60 <= share(people, "party_member", True) <= 0.66
    assert {n["category"] for n in needs} == set(CATEGORIES)
    assert all(1 <= n["priority"] <= 100 for n in needs)
    assert {n["volunteers"] for n in needs} == {0, 1, 2, 3, 4}
    assert {len(n["resources"]) for n in needs} == {0, 1, 2}
    # Priorities are skewed: the median sits well below the middle of the range.
    prios = sorted(n["priority"] for n in needs)
    assert prios[len(prios) // 2] < 45
    # Conflict-of-interest cases exist: a need sharing a household with a person.
    households = {p["household"] for p in people if p["household"]}
    assert any(n["household"] in households for n in needs)
    assert inst["pins"]
    assert inst["forbid"]
    # Scarce: more resource units are requested than offered.
    asked = sum(i["quantity"] for n in needs for i in n["resources"])
    offered = sum(r["capacity"] for r in res)
    assert asked > offered


def test_pins_point_at_distinct_people_of_the_needs_group() -> None:
    inst = gen.generate("town", 2)
    people = {p["id"]: p for p in inst["people"]}
    needs = {n["id"]: n for n in inst["needs"]}
    pinned = [p["person"] for p in inst["pins"]]
    assert len(pinned) == len(set(pinned))
    for pin in inst["pins"]:
        p, n = people[pin["person"]], needs[pin["need"]]
        assert p["cell"] == n["cell"]
        if pin["role"] == "LEAD":
            assert p["party_member"]
            assert p["max_lead"] >= 1


def test_district_scale() -> None:
    inst = gen.generate("district", 1)
    levels = Counter(c["level"] for c in inst["cells"])
    assert levels["DISTRICT"] == 1
    assert levels["TOWN"] == 8
    assert 18_000 <= len(inst["needs"]) <= 24_000
    assert 50_000 <= len(inst["people"]) <= 66_000
    assert 7_000 <= len(inst["resources"]) <= 9_800


def test_cli_writes_the_same_instance(tmp_path: Path) -> None:
    out = tmp_path / "tiny.json"
    subprocess.run(
        [sys.executable, str(GEN_PATH), "tiny", "--seed", "3", "-o", str(out)],
        check=True,
        timeout=60,
    )
    assert json.loads(out.read_text(encoding="utf-8")) == gen.generate("tiny", 3)


def test_robustness_shapes_keep_their_promise() -> None:
    big = gen.generate("bigsmall", 1)
    assert _valid(big) == []
    villages = Counter(c["parent"] for c in big["cells"] if c["level"] == "VILLAGE")
    assert len(villages) == 21 and villages["T1"] == 60 and max(villages.values()) == 60
    assert all(p["reach"] is not None for p in big["people"])
    tied = gen.generate("fewtied", 1)
    assert [p["cell"] for p in tied["people"] if p["reach"] is None] == ["D"] * 5
    assert not any(p["skills"] for p in gen.generate("noskills", 1)["people"])
    assert gen.generate("nores", 1)["resources"] == []
    assert not any(p["party_member"] for p in gen.generate("noleaders", 1)["people"])
    empty = gen.generate("empty", 1)
    assert _valid(empty) == [] and empty["needs"] == [] and empty["people"] == []
    long = gen.generate("longperiod", 1)
    assert max(n["window"][1] for n in long["needs"]) > "2027"


def test_overrides_change_the_scale() -> None:
    overrides = gen.parse_overrides(["towns=3", "villages=[1,1]", "needs=5"])
    assert overrides == {"towns": 3, "villages": (1, 1), "needs": 5}
    inst = gen.generate("villages", 2, **overrides)
    assert _valid(inst) == []
    assert sum(c["level"] == "TOWN" for c in inst["cells"]) == 3
    with pytest.raises(ValueError, match="bad --set"):
        gen.parse_overrides(["cities=3"])
