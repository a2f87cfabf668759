"""The Starlette application: engine in the lifespan, /graphql (GraphiQL on GET), /health,
and the public board (/ and /cells/{code}, sandan.web)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Scope
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from sandan.auth import LastUsed, account_viewer, bearer_token, viewer_for
from sandan.db.engine import create_engine, create_sessionmaker
from sandan.db.reader import read_only
from sandan.fast_http import PlannedGraphQL
from sandan.guard import GraphQLGuard, viewer_of
from sandan.ratelimit import RateLimiter
from sandan.resolvers.audit import AuditTrail
from sandan.resolvers.audit import drain as drain_audit
from sandan.resolvers.loader_base import LoaderDeps
from sandan.resolvers.loaders import Loaders
from sandan.runs_http import download, server_worker
from sandan.schema.build import build_schema
from sandan.schema.context import Context, Viewer
from sandan.schema.documents import DocumentChecker
from sandan.settings import Settings
from sandan.tokens import server_key
from sandan.web import board
from sandan.web.graphiql import OfflineGraphiQL
from sandan.websocket import SubscriptionsOnly, authenticate


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    read_engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    # Bootstrap tokens resolve to a scope once per process: cells do not move. Account tokens
    # are looked up on every request, so a revoked or expired token stops at once.
    viewers: dict[str, Viewer]
    token_key: bytes
    last_used: LastUsed
    comment_limiter: RateLimiter


def make_context(state: AppState, viewer: Viewer, client: str = "unknown") -> Context:
    deps = LoaderDeps(read_engine=state.read_engine, viewer=viewer)
    return Context(
        sessionmaker=state.sessionmaker,
        read_engine=state.read_engine,
        settings=state.settings,
        viewer=viewer,
        loaders=Loaders(deps),
        client=client,
        comment_limiter=state.comment_limiter,
    )


async def resolve_viewer(state: AppState, token: str) -> Viewer | None:
    """The viewer of a token, or None (the guard answers 401). Only configured tokens are
    cached, so the cache holds at most those and unknown ones hold nothing."""
    cached = state.viewers.get(token)
    if cached is None and state.settings.staff_tokens:
        cached = await viewer_for(token, state.settings.staff_tokens, state.sessionmaker)
        if cached is not None:
            state.viewers[token] = cached
    if cached is None:
        return await account_viewer(token, state.token_key, state.sessionmaker, state.last_used)
    return cached


async def viewer_of_header(state: AppState, authorization: str | None) -> Viewer:
    """The viewer of an Authorization header outside the guard (run downloads, websockets):
    the public without a token or with one that is unknown, so such callers are refused."""
    token = bearer_token(authorization)
    viewer = None if token is None else await resolve_viewer(state, token)
    return viewer or Viewer.public()


async def viewer_of_token(scope: Scope, token: str) -> Viewer | None:
    return await resolve_viewer(scope["app"].state.sandan, token)


class SandanGraphQL(OfflineGraphiQL, GraphQL[Context, None]):
    graphql_transport_ws_handler_class = SubscriptionsOnly
    app_state: AppState | None = None  # set with the first context: one view per app

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        self.app_state = request.app.state.sandan
        return make_context(request.app.state.sandan, viewer_of(request.scope), _client(request))

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        state = self.app_state
        assert state is not None, "get_context runs before on_ws_connect"

        async def resolve(token: str) -> Viewer | None:
            return await resolve_viewer(state, token)

        await authenticate(context, resolve)
        acknowledged: UnsetType = UNSET
        return acknowledged


def _client(request: Request | WebSocket) -> str:
    return request.client.host if request.client else "unknown"


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    schema: strawberry.Schema = build_schema(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_engine(
            settings.database_url, echo=settings.echo_sql, pool_size=settings.db_pool_size
        )
        app.state.sandan = AppState(
            settings=settings,
            engine=engine,
            read_engine=read_only(engine),
            sessionmaker=create_sessionmaker(engine),
            viewers={},
            token_key=server_key(settings),
            last_used=LastUsed(),
            comment_limiter=RateLimiter(settings.comment_rate, settings.comment_burst),
        )
        # Everything built so far (schema, models, plans of import time) lives as long as the
        # process: frozen out of the collector's generations, a full collection no longer walks
        # it while a request waits (periodic 50-100 ms stalls at 50 requests/s, BENCHMARKS.md).
        gc.collect()
        gc.freeze()
        try:
            async with server_worker(settings):
                yield
        finally:
            await drain_audit()  # records of reads still being written after their response
            await engine.dispose()

    async def health(request: Request) -> Response:
        state: AppState = request.app.state.sandan
        async with state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok"})

    view: Any = SandanGraphQL(
        schema, graphql_ide="graphiql", subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,)
    )

    async def context_for(request: Request) -> Context:
        return make_context(request.app.state.sandan, viewer_of(request.scope), _client(request))

    def run_file(which: str) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            state: AppState = request.app.state.sandan
            return await download(
                request, which, lambda auth: viewer_of_header(state, auth), state.read_engine
            )

        return endpoint

    graphql_app = (
        PlannedGraphQL(view, schema, settings, context_for) if settings.planned_reads else view
    )
    checker = DocumentChecker(schema._schema, settings)
    # Inside the guard: only admitted requests are audited, and the caller is known by then.
    graphql_app = GraphQLGuard(
        AuditTrail(graphql_app, viewer_of), checker, settings, viewer_of_token
    )
    app = Starlette(
        routes=[
            Route("/health", health),
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", view),
            *board.routes(context_for),
            Route("/runs/{run_id}/instance.json", run_file("instance")),
            Route("/runs/{run_id}/solution.json", run_file("solution")),
        ],
        lifespan=lifespan,
    )
    app.state.schema = schema
    return app
