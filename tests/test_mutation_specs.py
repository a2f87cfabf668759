"""A spec naming a field, column or argument that does not exist fails when it is built (at
import), not when a client first sends that field."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from sandan.resolvers.mutations import specs
from sandan.resolvers.mutations.entity import BadSpec
from sandan.resolvers.mutations.rules import Ref, plain, text


def _with(spec: Any, **changes: Any) -> Any:
    return dataclasses.replace(spec, **changes)


def test_the_specs_as_declared_are_consistent() -> None:
    # Importing `specs` built (and so checked) every spec; each close mutation has its closing.
    for name in ("NEED", "RESOURCE", "PERSON", "HOUSEHOLD", "ORGANISATION"):
        assert getattr(specs, name).closing is not None, name
    assert specs.CONTACT_VISIT.closing is None


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        pytest.param(
            {"fields": {**specs.NEED.fields, "titel": text(200)}}, "titel", id="misspelt-field"
        ),
        pytest.param(
            {"fields": {k: v for k, v in specs.NEED.fields.items() if k != "hours"}},
            "hours",
            id="input-field-no-rule-reads",
        ),
        pytest.param(
            {"fields": {**specs.NEED.fields, "title": text(200, column="headline")}},
            "headline",
            id="rule-column-not-in-model",
        ),
        pytest.param(
            {"refs": {**specs.NEED.refs, "cell": Ref("cel_id", "Cell")}},
            "cel_id",
            id="ref-column-not-in-model",
        ),
        pytest.param({"located_by": "place"}, "place", id="located-by-not-a-ref"),
        pytest.param(
            {"closing": specs.NEED.closing.but(sets={"state": "CLOSED"})},  # type: ignore[union-attr]
            "state",
            id="close-sets-unknown-column",
        ),
        pytest.param(
            {"closing": specs.NEED.closing.but(arguments={"reason": plain()})},  # type: ignore[union-attr]
            "reason",
            id="close-argument-without-column",
        ),
    ],
)
def test_a_wrong_name_fails_when_the_spec_is_built(changes: dict[str, Any], named: str) -> None:
    with pytest.raises(BadSpec, match=named):
        _with(specs.NEED, **changes)


def test_an_update_input_field_the_spec_does_not_read_fails() -> None:
    # The update input of members has fields a need's spec has no rule for.
    with pytest.raises(BadSpec, match="name"):
        _with(specs.NEED, update_input=specs.PERSON.update_input)
