"""The report: a valid solution passes with its objective recomputed; violations print as
``CODE: message [where]`` with the rule codes of the contract."""

from __future__ import annotations

from sandan.matching.check import Rule, Violation, check

from .cases import base


def test_valid_solution_passes_and_objective_is_recomputed() -> None:
    inst, sol = base()
    report = check(inst, sol)
    assert report.ok, [str(v) for v in report.violations]
    assert report.priority == 60
    # p1 and p2 sit in the need's group (0), p3 in the sibling group (2), r1 in the branch (1).
    assert report.distance == 3
    assert (report.deeds, report.unmatched) == (1, 2)
    assert report.summary() == (
        "valid; status FEASIBLE; recomputed priority 60, distance 3; deeds 1, unmatched 2"
    )


def test_violation_prints_code_message_and_where() -> None:
    v = Violation(Rule.CAPACITY, "3 unit(s) drawn", need="n1", resource="r1", path="deeds[0]")
    assert str(v) == "CAPACITY: 3 unit(s) drawn [deeds[0], need n1, resource r1]"
    assert str(Violation(Rule.BOUND, "no bound")) == "BOUND: no bound"


def test_rule_codes_are_their_names() -> None:
    """The printed codes are part of the CLI's output: each is exactly the member's name."""
    assert all(rule.value == rule.name for rule in Rule)
    assert len(Rule) == len({rule.value for rule in Rule})
