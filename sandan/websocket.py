"""Subscriptions over graphql-transport-ws: the token comes in `connection_init` (browsers
cannot set websocket headers), and the socket carries subscriptions only, so queries and
mutations always pass the HTTP guard (cost limits, rate limits, body checks)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from graphql.error import GraphQLSyntaxError
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from sandan.auth import bearer_token, well_formed_token
from sandan.resolvers.loader_base import LoaderDeps
from sandan.resolvers.loaders import Loaders
from sandan.schema.context import Context, Viewer

ResolveToken = Callable[[str], Awaitable[Viewer | None]]


async def authenticate(context: Context, resolve: ResolveToken) -> None:
    """Sets the connection's viewer from `authorization` in the init payload ("Bearer …" or
    the bare token); no token: the public. An unknown token closes the socket (4403)."""
    raw = (context.connection_params or {}).get("authorization")
    if raw is None:
        return
    text = str(raw)
    token = bearer_token(text) if " " in text else text
    limit = context.settings.max_token_length
    viewer = None
    if token is not None and well_formed_token(token, limit):
        viewer = await resolve(token)
    if viewer is None:
        raise ConnectionRejectionError()
    context.viewer = viewer
    context.loaders = Loaders(LoaderDeps(read_engine=context.read_engine, viewer=viewer))


def _is_subscription(query: str) -> bool:
    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return True  # strawberry reports the syntax error itself
    return all(
        d.operation is OperationType.SUBSCRIPTION
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    )


class SubscriptionsOnly(BaseGraphQLTransportWSHandler[Context, None]):
    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        payload: Any = message.get("payload") or {}
        if not _is_subscription(str(payload.get("query", ""))):
            error = GraphQLError("Send queries and mutations over HTTP POST /graphql.")
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [error.formatted]}
            )
            return
        await super().handle_subscribe(message)
