"""The database enums, registered as GraphQL enums (names equal values, so both read the same).

strawberry.enum marks the class in place, so the API and the database share one enum class; the
enum's docstring and each member's description (declared in sandan.db.enums) become the API's.
"""

from __future__ import annotations

from typing import Any

import strawberry

from sandan.db.enums import (
    Category,
    CellKind,
    DeedRole,
    DeedStatus,
    HistoryKind,
    Level,
    MatterScale,
    NeedChannel,
    NeedStatus,
    OrganisationKind,
    PersonKind,
    PersonRole,
    ResourceKind,
    ResourceStatus,
    Urgency,
)
from sandan.db.enums import (
    Described as DescribedEnum,
)


def described_enum(enum_class: type[DescribedEnum], name: str | None = None) -> Any:
    """`enum_class` as a GraphQL enum: its docstring describes the type and each member's
    description (declared with it, sandan.db.enums.Described) its value."""
    registered = strawberry.enum(enum_class, name=name, description=enum_class.__doc__)
    for value in enum_class.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = enum_class[value.name].description
    return registered


for _enum in (
    Category,
    CellKind,
    DeedRole,
    DeedStatus,
    HistoryKind,
    Level,
    MatterScale,
    NeedChannel,
    NeedStatus,
    OrganisationKind,
    PersonKind,
    PersonRole,
    ResourceKind,
    ResourceStatus,
    Urgency,
):
    described_enum(_enum)


__all__ = [
    "Category",
    "CellKind",
    "DeedRole",
    "DeedStatus",
    "HistoryKind",
    "Level",
    "MatterScale",
    "NeedChannel",
    "NeedStatus",
    "OrganisationKind",
    "PersonKind",
    "PersonRole",
    "ResourceKind",
    "ResourceStatus",
    "Urgency",
]
