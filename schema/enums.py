"""The database enums, registered as GraphQL enums (names equal values, so both read the same).

strawberry.enum marks the class in place, so the API and the database share one enum class; the
enum's docstring and each member's description (declared in sandan.db.enums) become the API's.
Every described enum of sandan.db.enums is registered here under its own name, once, when the
`sandan.schema` package is imported; types import the enums from sandan.db.enums.
"""

from __future__ import annotations

from typing import Any

import strawberry

from sandan.db import enums as db_enums
from sandan.db.enums import Described


def described_enum(enum_class: type[Described], name: str | None = None) -> Any:
    """`enum_class` as a GraphQL enum: its docstring describes the type and each member's
    description (declared with it, sandan.db.enums.Described) its value."""
    registered = strawberry.enum(enum_class, name=name, description=enum_class.__doc__)
    for value in enum_class.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = enum_class[value.name].description
    return registered


for _enum in list(vars(db_enums).values()):
    if isinstance(_enum, type) and issubclass(_enum, Described) and _enum is not Described:
        described_enum(_enum)
