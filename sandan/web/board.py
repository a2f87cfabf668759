"""The public board's pages: `/` (the grid's top cell) and `/cells/{code}`, server-rendered,
read-only, no token. Everything a page shows comes from `resolvers.public_board`, the same
objects `publicDeeds` answers with; Jinja2 escapes every value."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

import sandan.resolvers.public_board as public_board
from sandan.resolvers.errors import QueryError
from sandan.schema.context import Context
from sandan.web import labels

PAGE_SIZE = 20
STATIC = Path(__file__).resolve().parent / "static"

templates = Environment(
    loader=PackageLoader("sandan.web", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.globals.update(
    status=lambda v: labels.label(labels.DEED_STATUS, v),
    category=lambda v: labels.label(labels.CATEGORY, v),
    cell_kind=lambda v: labels.label(labels.CELL_KIND, v),
    progress_source=lambda v: labels.label(labels.PROGRESS_SOURCE, v),
    lead_role=labels.lead_role,
)
templates.filters["cn_date"] = labels.cn_date


def _page(name: str, status: int = 200, **values: object) -> HTMLResponse:
    return HTMLResponse(templates.get_template(name).render(**values), status_code=status)


def routes(context_for: Callable[[Request], Awaitable[Context]]) -> list[BaseRoute]:
    """The board's routes and its static files (GraphiQL's assets among them)."""

    async def show(request: Request) -> Response:
        code = request.path_params.get("code")
        ctx = await context_for(request)
        try:
            board = await public_board.board(
                ctx, code, first=PAGE_SIZE, after=request.query_params.get("after")
            )
        except QueryError:
            # The only argument a visitor can spoil here is the page cursor in the link.
            return _page(
                "error.html", 400, title="链接有误", message="这个翻页链接无效，请从首页进入。"
            )
        if board is None:
            return _page(
                "error.html",
                404,
                title="找不到这个网格",
                message="没有编号为这个的网格，请从首页进入。",
            )
        return _page(
            "board.html", board=board, first_page=request.query_params.get("after") is None
        )

    return [
        Route("/", show, methods=["GET"]),
        Route("/cells/{code}", show, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
