"""Lead rules: a lead exactly when the need takes one, a known party member allowed to lead, not
also in the team."""

from __future__ import annotations

from typing import Any

import pytest

from ..helpers import setter
from .cases import Case, Corruption, add_deed, assert_caught, lead, member, n2_with, params


def _lead_where_none_is_taken(sol: dict[str, Any]) -> None:
    # n3 takes no lead; p9 (G1) is four edges from G3, p4 sits in G3.
    add_deed(sol, {"need": "n3", "lead": "p9", "team": ["p4"], "resources": []}, 5, 4)


CASES: list[Case] = [
    ("non-party lead", lead("p5"), {"LEAD_NOT_ALLOWED"}),
    ("non-party person with max_lead 1", n2_with("p5", "p7"), {"LEAD_NOT_ALLOWED"}),
    ("lead missing", setter("deeds", 0, "lead", value=None), {"LEAD_MISSING", "PIN"}),
    ("lead also in the team", member("p1"), {"LEAD_IN_TEAM"}),
    ("unknown lead", lead("ghost"), {"UNKNOWN_ID"}),
    ("lead where the need takes none", _lead_where_none_is_taken, {"LEAD_UNEXPECTED"}),
]


@pytest.mark.parametrize(("corrupt", "expected"), params(CASES))
def test_lead_rule_is_caught(corrupt: Corruption, expected: set[str]) -> None:
    assert_caught(corrupt, expected)
