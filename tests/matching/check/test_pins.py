"""Pins: each pinned need is fulfilled with the pinned person in the pinned role."""

from __future__ import annotations

from sandan.matching.check import check

from .cases import assert_caught, base, lead


def test_pinned_lead_replaced() -> None:
    assert_caught(lead("p9"), {"PIN"})


def test_each_way_of_breaking_a_pin_is_named() -> None:
    inst, sol = base()
    inst["pins"].append({"need": "n1", "person": "p9", "role": "TEAM"})
    report = check(inst, sol)
    assert [(v.rule, v.need, v.person, v.message) for v in report.violations] == [
        ("PIN", "n1", "p9", "pinned team member is not in the team")
    ]
    sol["unmatched"].append({"need": "n1", "reasons": ["OUTPRIORITISED"]})
    sol["deeds"] = []
    sol["objective"] = {"priority": 0, "distance": 0}
    report = check(inst, sol)
    assert [(v.rule, v.person, v.message) for v in report.violations] == [
        ("PIN", "p1", "pinned need is not fulfilled (pin LEAD p1)"),
        ("PIN", "p9", "pinned need is not fulfilled (pin TEAM p9)"),
    ]
