"""The HTTP side of optimisation runs: the queue worker in the server's lifespan, file
downloads, and websocket authentication from connection_init's payload.

Browsers cannot set headers on a websocket, so a subscription authenticates with
`{"authorization": "Bearer <token>"}` in graphql-transport-ws's connection_init payload; a
token that is given but unknown closes the socket with 4403.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandan.db.engine import create_engine, create_sessionmaker
from sandan.db.reader import connect
from sandan.db.repositories import runs
from sandan.resolvers.runs.rows import may_see
from sandan.resolvers.runs.worker import RunWorker, WorkerConfig
from sandan.schema.context import Viewer
from sandan.settings import Settings

ViewerFor = Callable[[str | None], Awaitable[Viewer]]


def worker_config(settings: Settings) -> WorkerConfig:
    return WorkerConfig(
        lease_seconds=settings.run_lease_seconds,
        poll_seconds=settings.run_poll_seconds,
        solver_threads=settings.run_solver_threads,
    )


@contextlib.asynccontextmanager
async def server_worker(settings: Settings) -> AsyncIterator[None]:
    """Run the queue in this process for the app's lifetime (unless SANDAN_RUNS_IN_SERVER=0).

    The worker has an engine of its own: its polls and heartbeats never wait for, or take, a
    connection that a request needs."""
    if not settings.runs_in_server:
        yield
        return
    engine = create_engine(settings.database_url, pool_size=2)
    worker = RunWorker(engine, create_sessionmaker(engine), worker_config(settings))
    task = asyncio.create_task(worker.serve(), name="sandan-runs")
    try:
        yield
    finally:
        worker.stop.set()
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(task, timeout=10)
        await engine.dispose()


async def download(
    request: Request, which: str, viewer_for: ViewerFor, read_engine: AsyncEngine
) -> Response:
    """`/runs/{id}/instance.json` and `/runs/{id}/solution.json`: staff in scope only."""
    viewer = await viewer_for(request.headers.get("authorization"))
    if not viewer.staff:
        return JSONResponse({"error": "staff only: send a staff bearer token"}, 401)
    try:
        pk = int(request.path_params["run_id"])
    except ValueError:
        return JSONResponse({"error": "the run id is a number"}, status_code=404)
    # A key outside the id column (a 32-bit INTEGER on PostgreSQL) names no run; the driver
    # refused it with an HTTP 500.
    if not 0 < pk < 2**31:
        return JSONResponse({"error": "no run you manage has this id"}, status_code=404)
    async with connect(read_engine) as conn:
        row = await runs.run_by_id(conn, pk)
        if row is None or not may_see(viewer, row.cell_path):
            return JSONResponse({"error": "no run you manage has this id"}, status_code=404)
        text = await runs.run_file(conn, pk, which)
    if text is None:
        return JSONResponse({"error": f"the run has no {which} yet ({row.status})"}, 404)
    filename = f"run-{pk}-{which}.json"
    return Response(
        text,
        media_type="application/json",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
