"""Every need answered exactly once: as a deed with an explanation or unmatched with reasons."""

from __future__ import annotations

from typing import Any

import pytest

from ..helpers import setter
from .cases import Case, Corruption, assert_caught, params


def _drop_unmatched(sol: dict[str, Any]) -> None:
    sol["unmatched"].pop()


def _dup_unmatched(sol: dict[str, Any]) -> None:
    sol["unmatched"].append({"need": "n1", "reasons": ["OUTPRIORITISED"]})


CASES: list[Case] = [
    ("unknown need", setter("deeds", 0, "need", value="n99"), {"UNKNOWN_ID", "NEED_MISSING"}),
    ("need missing", _drop_unmatched, {"NEED_MISSING"}),
    ("need twice", _dup_unmatched, {"NEED_TWICE"}),
    ("explanation missing", setter("deeds", 0, "explanation", value=[]), {"EXPLANATION_MISSING"}),
    ("reasons missing", setter("unmatched", 0, "reasons", value=[]), {"REASONS_MISSING"}),
    ("deeds not a list", setter("deeds", value={}), {"SOLUTION_FORMAT", "NEED_MISSING"}),
    (
        "unmatched entry not an object",
        setter("unmatched", 1, value="n3"),
        {"SOLUTION_FORMAT", "NEED_MISSING"},
    ),
]


@pytest.mark.parametrize(("corrupt", "expected"), params(CASES))
def test_answer_rule_is_caught(corrupt: Corruption, expected: set[str]) -> None:
    assert_caught(corrupt, expected)
