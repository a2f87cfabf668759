"""Every element of the whole schema, the account types and mutations included, has a
description a frontend developer can act on (the read side's own test names its modules)."""

from __future__ import annotations

from sandan.schema.build import build_schema
from tests.test_read_descriptions import _undescribed


def test_every_type_field_argument_and_value_is_described() -> None:
    schema = build_schema()._schema
    names = set(schema.type_map)
    assert {"Mutation", "Account", "ApiToken", "ViewerInfo", "Role", "CreateAccountInput"} <= names
    missing = [
        m for n, t in schema.type_map.items() if not n.startswith("__") for m in _undescribed(t)
    ]
    assert not missing, missing
