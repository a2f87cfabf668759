"""The checker's own instance reader: an invalid instance is reported, never raised."""

from __future__ import annotations

from typing import Any

import pytest

from sandan.matching.check import check, read_instance

from .cases import base


@pytest.mark.parametrize("bad", [None, [], "x", {"cells": "no"}, {"needs": [{"id": 1}]}])
def test_invalid_instance_gives_violations(bad: Any) -> None:
    _, sol = base()
    report = check(bad, sol)
    assert not report.ok
    assert not report.instance_valid
    assert report.rules() == {"INVALID_INSTANCE"}


def test_every_error_is_collected_with_its_path() -> None:
    inst, _ = base()
    inst["needs"][0]["priority"] = 0
    inst["people"][1]["cell"] = "nowhere"
    inst["pins"].append({"need": "n1", "person": "p1", "role": "BOSS"})
    model, errors = read_instance(inst)
    assert model is None
    assert [(e.rule, e.path) for e in errors] == [
        ("INVALID_INSTANCE", "people[1].cell"),
        ("INVALID_INSTANCE", "needs[0].priority"),
        ("INVALID_INSTANCE", "pins[1].role"),
    ]


def test_missing_quantity_and_capacity_read_as_the_solver_reads_them() -> None:
    inst, _ = base()
    inst["needs"][0]["resources"] = [{"kind": "VENUE"}, {"kind": "VENUE", "quantity": 2}]
    del inst["resources"][0]["capacity"]
    model, errors = read_instance(inst)
    assert model is not None, errors
    assert model.needs["n1"].items == {"VENUE": 3}
    assert model.resources["r1"].capacity == 0
