"""The Subscription root: live updates over graphql-transport-ws (the token in connection_init)."""

from __future__ import annotations

import strawberry

from sandan.schema.notification_fields import Subscription as NotificationSubscription
from sandan.schema.runs_api import RunsSubscription


@strawberry.type(
    description="Live updates over a websocket (graphql-transport-ws; send the token in "
    "connection_init's payload as `authorization`): the viewer's notifications, and an "
    "optimisation run's progress for staff in its scope."
)
class Subscription(NotificationSubscription, RunsSubscription):
    pass
