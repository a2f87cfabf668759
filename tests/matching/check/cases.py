"""A small valid instance and solution, and corruptions of the solution, for the checker's tests.

No solver involved: each test corrupts the hand-built solution and expects the checker to name
the broken rule, and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sandan.matching.check import check

from ..helpers import instance, need, person, resource

Corruption = Callable[[dict[str, Any]], None]
# (id, corruption, the rule codes it must raise)
Case = tuple[str, Corruption, set[str]]


def base() -> tuple[dict[str, Any], dict[str, Any]]:
    inst = instance(
        people=[
            person("p1", "G1"),
            person("p2", "G1", party_member=False, max_lead=0, max_deeds=2, hours=4),
            person("p3", "G2", skills=["nursing"], reach="BRANCH"),
            person("p4", "G3", reach="GROUP"),
            person("p5", "G1", party_member=False, max_lead=1),
            person("p6", "G1", categories=["SAFETY"]),
            person("p7", "G1", available=["2026-06-10", "2026-06-30"]),
            person("p8", "G1", household="h1"),
            person("p9", "G1"),
            person("p10", "G2", reach="GROUP"),
        ],
        needs=[
            need(
                "n1",
                "G1",
                priority=60,
                volunteers=2,
                skills=["nursing"],
                resources=[{"kind": "VENUE", "quantity": 1}],
                window=["2026-05-01", "2026-05-31"],
                household="h1",
            ),
            need("n2", "G1", priority=30, volunteers=1, hours=3),
            need("n3", "G3", priority=5, lead=False, volunteers=1),
        ],
        resources=[
            resource("r1", "B1", kind="VENUE", capacity=1),
            resource("r2", "B1", kind="FUNDS", capacity=5),
            resource("r3", "G3", kind="VENUE", capacity=3, reach="GROUP"),
        ],
        forbid=[{"need": "n2", "person": "p9"}],
        pins=[{"need": "n1", "person": "p1", "role": "LEAD"}],
    )
    sol = {
        "version": 1,
        "status": "FEASIBLE",
        "objective": {"priority": 60, "distance": 3},
        "bound": {"priority": 95},
        "deeds": [
            {
                "need": "n1",
                "lead": "p1",
                "team": ["p2", "p3"],
                "resources": [{"resource": "r1", "quantity": 1}],
                "explanation": ["p3 is a nurse in the next group"],
            }
        ],
        "unmatched": [
            {"need": "n2", "reasons": ["OUTPRIORITISED"]},
            {"need": "n3", "reasons": ["NOT_ENOUGH_VOLUNTEERS"]},
        ],
        "stats": {"components": 1, "seconds": 0.0},
    }
    return inst, sol


def params(cases: list[Case]) -> list[Any]:
    """``cases`` as pytest params named by their ids, for ``parametrize("corrupt, expected")``."""
    return [pytest.param(f, e, id=name) for name, f, e in cases]


def assert_caught(corrupt: Corruption, expected: set[str]) -> None:
    """The corrupted base solution breaks the expected rules, and nothing else but the objective
    or the pin on n1 (which a changed deed may shift)."""
    inst, sol = base()
    corrupt(sol)
    report = check(inst, sol)
    assert not report.ok
    rules = report.rules()
    assert expected <= rules, [str(v) for v in report.violations]
    assert rules - expected <= {"OBJECTIVE_MISMATCH", "PIN"}, [str(v) for v in report.violations]


def deed(sol: dict[str, Any]) -> dict[str, Any]:
    d: dict[str, Any] = sol["deeds"][0]
    return d


def add_deed(sol: dict[str, Any], d: dict[str, Any], priority: int, distance: int) -> None:
    """Fulfil one more need (taking it off the unmatched list), keeping the objective right."""
    sol["unmatched"] = [u for u in sol["unmatched"] if u["need"] != d["need"]]
    d.setdefault("explanation", ["test"])
    sol["deeds"].append(d)
    sol["objective"]["priority"] += priority
    sol["objective"]["distance"] += distance


def lead(who: str) -> Corruption:
    """n1 led by ``who``."""

    def f(sol: dict[str, Any]) -> None:
        deed(sol)["lead"] = who

    return f


def member(who: str) -> Corruption:
    """n1's team is the nurse p3 and ``who``."""

    def f(sol: dict[str, Any]) -> None:
        deed(sol)["team"] = ["p3", who]

    return f


def n2_with(lead: str, member: str) -> Corruption:
    """n2 fulfilled as well, by ``lead`` and ``member``."""

    def f(sol: dict[str, Any]) -> None:
        add_deed(sol, {"need": "n2", "lead": lead, "team": [member], "resources": []}, 30, 0)

    return f


def n3_team(member: str, dist: int) -> Corruption:
    """n3 (no lead) fulfilled as well, by ``member`` at ``dist`` edges."""

    def f(sol: dict[str, Any]) -> None:
        add_deed(sol, {"need": "n3", "lead": None, "team": [member], "resources": []}, 5, dist)

    return f
