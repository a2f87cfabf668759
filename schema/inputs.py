"""Filter inputs of the list queries."""

from __future__ import annotations

import strawberry

from sandan.db.enums import (
    Category,
    DeedStatus,
    NeedStatus,
    ResourceKind,
    ResourceStatus,
    Urgency,
)


@strawberry.input(
    description="Which needs to list. Filters combine with AND; list filters match any of "
    "their values."
)
class NeedFilter:
    under: strawberry.ID | None = strawberry.field(
        default=None,
        description="A cell id: only needs in its subtree, placed as `Need.cell` shows them "
        "(a household-contact group's own needs are at its branch, not under the group, unless "
        "the caller's grid scope covers the group).",
    )
    category: list[Category] | None = strawberry.field(
        default=None, description="Only needs of any of these categories; null: any."
    )
    status: list[NeedStatus] | None = strawberry.field(
        default=None, description="Only needs in any of these statuses; null: any."
    )
    urgency: list[Urgency] | None = strawberry.field(
        default=None, description="Only needs of any of these urgencies; null: any."
    )
    search: str | None = strawberry.field(
        default=None, description="Text in title or description (case-insensitive)."
    )


@strawberry.input(
    description="Which resources to list. Filters combine with AND; list filters match any of "
    "their values."
)
class ResourceFilter:
    under: strawberry.ID | None = strawberry.field(
        default=None, description="A cell id: only resources kept in its subtree."
    )
    category: list[Category] | None = strawberry.field(
        default=None, description="Resources serving any of these (or every) category."
    )
    kind: list[ResourceKind] | None = strawberry.field(
        default=None, description="Only resources of any of these kinds; null: any."
    )
    status: list[ResourceStatus] | None = strawberry.field(
        default=None, description="Only resources in any of these statuses; null: any."
    )
    search: str | None = strawberry.field(
        default=None, description="Text in title or description (case-insensitive)."
    )


@strawberry.input(
    description="Which deeds to list. Filters combine with AND; list filters match any of "
    "their values."
)
class DeedFilter:
    under: strawberry.ID | None = strawberry.field(
        default=None,
        description="A cell id: only deeds in its subtree, placed as `Deed.cell` shows them "
        "(a household-contact group's own deeds are at its branch, not under the group, unless "
        "the caller's grid scope covers the group).",
    )
    status: list[DeedStatus] | None = strawberry.field(
        default=None, description="Only deeds in any of these statuses; null: any."
    )
    published: bool | None = strawberry.field(
        default=None, description="true: only published deeds; false: only unpublished; null: both."
    )
    overdue: bool | None = strawberry.field(
        default=None,
        description="true: only overdue deeds (see `DeedProgress.overdue`); false: only those "
        "that are not; null: both.",
    )
    stalled: bool | None = strawberry.field(
        default=None,
        description="true: only stalled deeds (see `DeedProgress.stalled`); false: only those "
        "that are not; null: both.",
    )
    search: str | None = strawberry.field(
        default=None, description="Text in the title (case-insensitive)."
    )
