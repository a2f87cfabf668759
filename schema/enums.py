"""The database enums, registered as GraphQL enums (names equal values, so both read the same).

strawberry.enum marks the class in place, so the API and the database share one enum class.
"""

from __future__ import annotations

import strawberry

from sandan.db.enums import (
    Category,
    CellKind,
    DeedRole,
    DeedStatus,
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

strawberry.enum(Level, description="A level of the grid, from district to group.")
strawberry.enum(Category, description="The eight public-service domains.")
for _enum in (
    CellKind,
    DeedRole,
    DeedStatus,
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
    strawberry.enum(_enum)

__all__ = [
    "Category",
    "CellKind",
    "DeedRole",
    "DeedStatus",
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
