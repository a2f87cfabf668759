"""Root fields of notifications: the viewer's member's stored notifications, marking them
read, and the `notifications` subscription (graphql-transport-ws; send the token as
`authorization` in `connection_init`'s payload, since browsers cannot set websocket headers)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import strawberry

from sandan.resolvers.deeds import notifications as resolve
from sandan.schema.context import Info
from sandan.schema.errors import UserError
from sandan.schema.payloads import ERRORS, payload
from sandan.schema.types.notification import Notification, NotificationPage

_WHO = (
    " Only for a token whose account belongs to a member (FORBIDDEN otherwise): a deed's lead "
    "and team, and the contact member of the household that raised its need."
)


@strawberry.type(description="The answer of markNotificationsRead.")
class MarkReadPayload:
    marked: int | None = strawberry.field(
        description="How many unread notifications became read; null when `errors` is not empty."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The viewer's notifications.")
class NotificationQuery:
    @strawberry.field(description="The viewer's member's notifications, newest first." + _WHO)
    async def notifications(
        self,
        info: Info,
        first: Annotated[
            int, strawberry.argument(description="Page size, 1 to 100 (default 20).")
        ] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="`endCursor` of the previous page.")
        ] = None,
        unread: Annotated[
            bool | None,
            strawberry.argument(description="true: only unread; false: only read; null: all."),
        ] = None,
    ) -> NotificationPage:
        return await resolve.page(info.context, first, after, unread)


@strawberry.type(description="Marking notifications read.")
class NotificationMutation:
    @strawberry.mutation(description="Mark some of the viewer's notifications read." + _WHO)
    async def mark_notifications_read(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(description="`Notification.id`s; others' ids are ignored."),
        ],
    ) -> MarkReadPayload:
        return payload(MarkReadPayload, await resolve.mark_read(info.context, list(ids)))


@strawberry.type(description="Live updates over graphql-transport-ws.")
class Subscription:
    @strawberry.subscription(
        description="New notifications of the viewer's member as they are stored (checked "
        "about every second)." + _WHO
    )
    async def notifications(self, info: Info) -> AsyncIterator[Notification]:
        async for notification in resolve.stream(info.context):
            yield notification
