"""Stored notifications of the deed lifecycle, as the member they concern reads them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from sandan.schema.types.fields import RowType, column, key, related

if TYPE_CHECKING:
    from sandan.schema.types.deeds import Deed


@strawberry.type(
    description="A notice about a deed the member is on (lead, team) or whose household they "
    "contact: approved, published, progress reported, completed or cancelled."
)
class Notification(RowType):
    id: strawberry.ID = strawberry.field(description="Its id, for `markNotificationsRead`.")
    event: str = column(
        description="What happened: APPROVED, PUBLISHED, PROGRESS, COMPLETED or CANCELLED."
    )
    message: str = column(description="The notice in words (Chinese deed title).")
    created_at: datetime = column(description="When it was sent (UTC).")
    read_at: datetime | None = column(description="When it was read; null: unread.")
    deed_pk: strawberry.Private[int] = key("deed_id")
    deed: Annotated[Deed, strawberry.lazy("sandan.schema.types.deeds")] | None = related(
        "deed_by_id", "deed_pk", description="The deed it is about."
    )


@strawberry.type(description="A page of the member's notifications, newest first.")
class NotificationPage:
    nodes: list[Notification] = strawberry.field(description="The notifications of this page.")
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` for the next page; null on an empty page."
    )
    has_next_page: bool = strawberry.field(description="Whether older ones follow.")
