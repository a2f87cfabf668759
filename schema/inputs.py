"""Filter inputs of the list queries."""

from __future__ import annotations

import strawberry

from sandan.schema.enums import (
    Category,
    DeedStatus,
    NeedStatus,
    ResourceKind,
    ResourceStatus,
    Urgency,
)


@strawberry.input(description="Filters combine with AND; list filters match any of their values.")
class NeedFilter:
    under: strawberry.ID | None = strawberry.field(
        default=None, description="A cell id: only needs in its subtree."
    )
    category: list[Category] | None = None
    status: list[NeedStatus] | None = None
    urgency: list[Urgency] | None = None
    search: str | None = strawberry.field(default=None, description="Text in title or description.")


@strawberry.input
class ResourceFilter:
    under: strawberry.ID | None = None
    category: list[Category] | None = strawberry.field(
        default=None, description="Resources serving any of these (or every) category."
    )
    kind: list[ResourceKind] | None = None
    status: list[ResourceStatus] | None = None
    search: str | None = None


@strawberry.input
class DeedFilter:
    under: strawberry.ID | None = None
    status: list[DeedStatus] | None = None
    published: bool | None = None
    search: str | None = None
