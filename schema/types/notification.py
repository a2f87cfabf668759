"""Stored notifications of the deed lifecycle, as the member they concern reads them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from sandan.schema.context import Info

if TYPE_CHECKING:
    from sandan.schema.types.deeds import Deed


@strawberry.type(
    description="A notice about a deed the member is on (lead, team) or whose household they "
    "contact: approved, published, progress reported, completed or cancelled."
)
class Notification:
    id: strawberry.ID = strawberry.field(description="Its id, for `markNotificationsRead`.")
    event: str = strawberry.field(
        description="What happened: APPROVED, PUBLISHED, PROGRESS, COMPLETED or CANCELLED."
    )
    message: str = strawberry.field(description="The notice in words (Chinese deed title).")
    created_at: datetime = strawberry.field(description="When it was sent (UTC).")
    read_at: datetime | None = strawberry.field(description="When it was read; null: unread.")
    deed_pk: strawberry.Private[int]

    @strawberry.field(description="The deed it is about.")
    async def deed(
        self, info: Info
    ) -> Annotated[Deed, strawberry.lazy("sandan.schema.types.deeds")] | None:
        return await info.context.loaders.deed_by_id.load(self.deed_pk)


@strawberry.type(description="A page of the member's notifications, newest first.")
class NotificationPage:
    nodes: list[Notification] = strawberry.field(description="The notifications of this page.")
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` for the next page; null on an empty page."
    )
    has_next_page: bool = strawberry.field(description="Whether older ones follow.")
