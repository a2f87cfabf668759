"""Bad input never raises: ``solve`` answers INVALID_INSTANCE with errors naming the offender,
the CLI exits 2 with one message per error (no traceback), and the checker reports it too."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from sandan.matching import solve
from sandan.matching.check import check
from sandan.matching.cli import main

from .helpers import instance, need, person, resource, setter


def valid() -> dict[str, Any]:
    return instance(
        people=[person("p1", "G1"), person("p2", "G2")],
        needs=[need("n1", "G1", resources=[{"kind": "VENUE", "quantity": 1}])],
        resources=[resource("r1", "B1")],
        pins=[{"need": "n1", "person": "p1", "role": "LEAD"}],
        forbid=[{"need": "n1", "person": "p2"}],
    )


Mutation = Callable[[dict[str, Any]], None]


def _cycle(inst: dict[str, Any]) -> None:
    inst["cells"] += [
        {"id": "A", "parent": "B", "level": "BRANCH"},
        {"id": "B", "parent": "A", "level": "GROUP"},
    ]


def _duplicate_person(inst: dict[str, Any]) -> None:
    inst["people"].append(person("p1", "G3"))


def _duplicate_cell(inst: dict[str, Any]) -> None:
    inst["cells"].append({"id": "G1", "parent": "B2", "level": "GROUP"})


# (case, mutation, fragments one error must mention: the path and/or the entry's id)
CASES: list[tuple[str, Mutation, tuple[str, ...]]] = [
    ("unknown cell of a person", setter("people", 0, "cell", value="GX"), ("people[0]", "p1")),
    ("unknown cell of a need", setter("needs", 0, "cell", value="GX"), ("needs[0]", "n1")),
    ("unknown parent", setter("cells", 4, "parent", value="B9"), ("cells[4]", "G1")),
    ("parent cycle", _cycle, ("cells[",)),
    ("level not below parent", setter("cells", 4, "level", value="VILLAGE"), ("cells[4]", "G1")),
    ("level equal to parent", setter("cells", 3, "level", value="VILLAGE"), ("cells[3]", "B2")),
    ("unknown level", setter("cells", 1, "level", value="PROVINCE"), ("cells[1]", "V1")),
    ("unknown reach level", setter("people", 0, "reach", value="STREET"), ("people[0]", "p1")),
    ("negative capacity", setter("resources", 0, "capacity", value=-1), ("resources[0]", "r1")),
    ("negative hours", setter("people", 0, "hours", value=-4), ("people[0]", "p1")),
    ("negative volunteers", setter("needs", 0, "volunteers", value=-1), ("needs[0]", "n1")),
    (
        "bad date",
        setter("needs", 0, "window", value=["2026-02-30", "2026-03-10"]),
        ("needs[0]", "n1"),
    ),
    (
        "not a date",
        setter("people", 0, "available", value=["May", "June"]),
        ("people[0]", "p1"),
    ),
    (
        "reversed window",
        setter("needs", 0, "window", value=["2026-06-01", "2026-05-01"]),
        ("needs[0]", "n1"),
    ),
    (
        "reversed availability",
        setter("resources", 0, "available", value=["2026-06-01", "2026-05-01"]),
        ("resources[0]", "r1"),
    ),
    ("duplicate person id", _duplicate_person, ("people[2]", "p1")),
    ("duplicate cell id", _duplicate_cell, ("cells[7]", "G1")),
    ("unknown resource kind", setter("resources", 0, "kind", value="SPACESHIP"), ("r1",)),
    (
        "unknown requested kind",
        setter("needs", 0, "resources", 0, "kind", value="SPACESHIP"),
        ("needs[0]", "n1"),
    ),
    ("unknown category", setter("needs", 0, "category", value="FOOD"), ("needs[0]", "n1")),
    (
        "unknown person category",
        setter("people", 0, "categories", value=["FOOD"]),
        ("people[0]", "p1"),
    ),
    ("pin naming an unknown need", setter("pins", 0, "need", value="n9"), ("pins[0]", "n9")),
    ("pin naming an unknown person", setter("pins", 0, "person", value="p9"), ("pins[0]", "p9")),
    ("pin with a bad role", setter("pins", 0, "role", value="BOSS"), ("pins[0]",)),
    ("forbid naming an unknown need", setter("forbid", 0, "need", value="n9"), ("forbid[0]", "n9")),
    ("priority not a number", setter("needs", 0, "priority", value="high"), ("needs[0]", "n1")),
    ("priority zero", setter("needs", 0, "priority", value=0), ("needs[0]", "n1")),
    ("hours not a number", setter("people", 0, "hours", value="ten"), ("people[0]", "p1")),
    ("party_member not a bool", setter("people", 0, "party_member", value="yes"), ("p1",)),
    ("id not a string", setter("needs", 0, "id", value=5), ("needs[0]",)),
    ("people not a list", setter("people", value={"p1": {}}), ("people",)),
    ("need not an object", setter("needs", 0, value="n1"), ("needs[0]",)),
    ("negative quantity", setter("needs", 0, "resources", 0, "quantity", value=-1), ("n1",)),
]


@pytest.mark.parametrize(
    ("mutate", "fragments"), [pytest.param(m, f, id=name) for name, m, f in CASES]
)
def test_bad_instance_is_named(mutate: Mutation, fragments: tuple[str, ...]) -> None:
    inst = valid()
    mutate(inst)
    sol = solve(copy.deepcopy(inst))
    assert sol["status"] == "INVALID_INSTANCE"
    errors = sol["errors"]
    assert errors
    for e in errors:
        assert set(e) >= {"path", "entry", "message"}
    assert any(all(f in json.dumps(e) for f in fragments) for e in errors), errors
    # The independent checker sees the same instance as invalid.
    report = check(inst, sol)
    assert not report.instance_valid
    assert any(all(f in str(v) for f in fragments) for v in report.violations), [
        str(v) for v in report.violations
    ]


def test_the_valid_base_instance_is_valid() -> None:
    """Guards the cases above: each one breaks exactly what it says."""
    sol = solve(valid())
    assert sol["status"] in ("OPTIMAL", "FEASIBLE")
    assert check(valid(), sol).ok


@pytest.mark.parametrize("data", [[1, 2], "instance", 42, None, True])
def test_non_object_json(data: Any) -> None:
    sol = solve(data)
    assert sol["status"] == "INVALID_INSTANCE"
    assert sol["errors"]
    assert not check(data, sol).instance_valid


@pytest.mark.parametrize(
    ("mutate", "fragments"),
    [
        pytest.param(m, f, id=name)
        for name, m, f in CASES
        if name
        in ("unknown cell of a person", "parent cycle", "reversed window", "negative quantity")
    ],
)
def test_cli_exits_2_and_names_the_entry(
    mutate: Mutation,
    fragments: tuple[str, ...],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inst = valid()
    mutate(inst)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(inst), encoding="utf-8")
    out = tmp_path / "sol.json"
    assert main(["solve", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert any(all(f in line for f in fragments) for line in err.splitlines()), err


def test_cli_non_object_json_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2, 3]", encoding="utf-8")
    assert main(["solve", str(path), "-o", str(tmp_path / "s.json")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "object" in err


# ---------------------------------------------------------------- fuzzing

JUNK: list[Any] = [
    None,
    -1,
    0,
    1,
    2.5,
    "x",
    "",
    [],
    {},
    True,
    "2026-13-01",
    ["2026-05-01"],
    ["2026-06-01", "2026-05-01"],
    "G1",
    "p1",
    "VENUE",
    "TOWN",
    [{"kind": "VENUE"}],
    10**12,
]


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*prefix, i))
    return out


@settings(
    max_examples=150, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate]
)
@given(
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, len(JUNK))), min_size=1, max_size=3)
)
def test_fuzzed_instances_never_raise_and_validity_agrees(edits: list[tuple[int, int]]) -> None:
    """Junk written over random fields (or fields deleted): ``solve`` and ``check`` never raise,
    and the solver calls the instance invalid exactly when the independent checker does."""
    inst = valid()
    for where, what in edits:
        paths = _paths(inst)
        path = paths[where % len(paths)]
        target = inst
        for key in path[:-1]:
            target = target[key]
        if what == len(JUNK) and isinstance(target, dict):
            del target[path[-1]]
        else:
            target[path[-1]] = copy.deepcopy(JUNK[what % len(JUNK)])
    sol = solve(copy.deepcopy(inst), workers=1)
    report = check(inst, sol)
    if sol["status"] == "INVALID_INSTANCE":
        assert sol["errors"]
        assert not report.instance_valid, sol["errors"]
    else:
        assert report.instance_valid, [str(v) for v in report.violations]
        assert report.ok, [str(v) for v in report.violations]
