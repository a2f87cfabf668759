"""The database enums, registered as GraphQL enums (names equal values, so both read the same).

strawberry.enum marks the class in place, so the API and the database share one enum class; the
enum's docstring and each member's description (declared in sandan.db.enums) become the API's.
"""

from __future__ import annotations

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
    strawberry.enum(_enum, description=_enum.__doc__)
    # Each member's description is declared with it (sandan.db.enums.Described).
    for _value in _enum.__strawberry_definition__.values:  # type: ignore[union-attr]
        _value.description = _enum[_value.name].description


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
