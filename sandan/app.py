"""The Starlette application: engine in the lifespan, /graphql (GraphiQL on GET), /health."""

from __future__ import annotations

import contextlib
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
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.types.unset import UNSET, UnsetType

from sandan.auth import bearer_token, viewer_for
from sandan.db.engine import create_engine, create_sessionmaker
from sandan.db.reader import read_only
from sandan.fast_http import PlannedGraphQL
from sandan.resolvers.loaders import LoaderDeps, Loaders
from sandan.runs_http import authenticate_socket, download, server_worker, socket_context
from sandan.schema.build import build_schema
from sandan.schema.context import Context, Viewer
from sandan.settings import Settings


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    read_engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    # Staff tokens resolve to a scope once per process: cells do not move.
    viewers: dict[str, Viewer]


def make_context(state: AppState, viewer: Viewer) -> Context:
    deps = LoaderDeps(read_engine=state.read_engine, viewer=viewer)
    return Context(
        sessionmaker=state.sessionmaker,
        read_engine=state.read_engine,
        settings=state.settings,
        viewer=viewer,
        loaders=Loaders(deps),
    )


async def resolve_viewer(state: AppState, authorization: str | None) -> Viewer:
    token = bearer_token(authorization)
    if token is None:
        return Viewer.public()
    cached = state.viewers.get(token)
    if cached is None:
        cached = await viewer_for(token, state.settings.staff_tokens, state.sessionmaker)
        if len(state.viewers) < 10_000:  # bounded: unknown tokens must not grow memory
            state.viewers[token] = cached
    return cached


class SandanGraphQL(GraphQL[Context, None]):
    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        state: AppState = request.app.state.sandan
        viewer = await resolve_viewer(state, request.headers.get("authorization"))
        if isinstance(request, WebSocket):
            return socket_context(
                make_context(state, viewer),
                lambda auth: resolve_viewer(state, auth),
                lambda v: make_context(state, v),
            )
        return make_context(state, viewer)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        await authenticate_socket(context)
        unset: UnsetType = UNSET
        return unset


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
        )
        try:
            async with server_worker(settings):
                yield
        finally:
            await engine.dispose()

    async def health(request: Request) -> Response:
        state: AppState = request.app.state.sandan
        async with state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok"})

    view: Any = SandanGraphQL(schema, graphql_ide="graphiql")

    async def context_for(request: Request) -> Context:
        state: AppState = request.app.state.sandan
        return make_context(
            state, await resolve_viewer(state, request.headers.get("authorization"))
        )

    def run_file(which: str) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            state: AppState = request.app.state.sandan
            return await download(
                request, which, lambda auth: resolve_viewer(state, auth), state.read_engine
            )

        return endpoint

    graphql_app = (
        PlannedGraphQL(view, schema, settings, context_for) if settings.planned_reads else view
    )
    app = Starlette(
        routes=[
            Route("/health", health),
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", view),
            Route("/runs/{run_id}/instance.json", run_file("instance")),
            Route("/runs/{run_id}/solution.json", run_file("solution")),
        ],
        lifespan=lifespan,
    )
    app.state.schema = schema
    return app
