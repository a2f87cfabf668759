"""The logic behind the root queries: argument checks, scopes, pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select

from sandan.db import models
from sandan.db.repositories import grid, lists, members
from sandan.db.repositories.batch import Record
from sandan.db.repositories.pages import count_rows, keyset_page
from sandan.resolvers.errors import QueryError, QueryErrorCode
from sandan.schema.connections import (
    BadCursor,
    Connection,
    Edge,
    PageInfo,
    decode_cursor,
    encode_cursor,
)
from sandan.schema.context import Context
from sandan.schema.ids import BadGlobalId, from_global_id
from sandan.schema.inputs import DeedFilter, NeedFilter, ResourceFilter
from sandan.schema.registry import NODE_TYPES
from sandan.schema.types.deeds import Deed
from sandan.schema.types.grid import Cell
from sandan.schema.types.lists import Need, Resource
from sandan.schema.types.members import Organisation, Person
from sandan.schema.types.node import Node

T = TypeVar("T")


@dataclass(frozen=True)
class PageQuery:
    """A page as the resolver decided it: the filtered select (scopes and filters applied),
    the checked page size and the decoded cursor."""

    rows: Select[Any]
    id_column: Any
    first: int
    after: int | None
    after_cursor: str | None


class PageDeferred(Exception):
    """Raised instead of running the page when the caller builds it in the database itself
    (`Context.defer_pages`): the resolver's checks and filters still ran, nothing was read."""

    def __init__(self, query: PageQuery) -> None:
        super().__init__("page deferred")
        self.query = query


def page_size(ctx: Context, first: int | None) -> int:
    if first is None:
        return ctx.settings.default_page_size
    if first < 0:
        raise QueryError(QueryErrorCode.PAGE_SIZE, "first", "first must not be negative")
    if first > ctx.settings.max_page_size:
        raise QueryError(
            QueryErrorCode.PAGE_SIZE,
            "first",
            f"first is {first}; a page holds at most {ctx.settings.max_page_size} items",
        )
    return first


def after_pk(after: str | None) -> int | None:
    if after is None:
        return None
    try:
        return decode_cursor(after)
    except BadCursor as e:
        raise QueryError(QueryErrorCode.INVALID_CURSOR, "after", str(e)) from None


async def cell_path(ctx: Context, global_id: str | None, field: str) -> str | None:
    """The ancestry path of the cell a filter names (None when no cell is named)."""
    if global_id is None:
        return None
    try:
        _, pk = from_global_id(global_id, expect="Cell")
    except BadGlobalId as e:
        raise QueryError(QueryErrorCode.INVALID_ID, field, str(e)) from None
    cell = await ctx.loaders.cell_by_id.load(pk)
    if cell is None:
        raise QueryError(QueryErrorCode.NOT_FOUND, field, f"no cell has id {global_id!r}")
    return cell.path


async def connection(
    ctx: Context,
    stmt: Select[Any],
    id_column: Any,
    build: Callable[[Record], T],
    *,
    first: int | None,
    after: str | None,
) -> Connection[T]:
    size = page_size(ctx, first)
    start = after_pk(after)
    if ctx.defer_pages:
        raise PageDeferred(PageQuery(stmt, id_column, size, start, after))
    async with ctx.read_engine.connect() as session:
        page = await keyset_page(session, stmt, id_column, first=size, after=start)
    nodes = [build(row) for row in page.rows]
    edges = [
        Edge(cursor=encode_cursor(row.id), node=node)
        for row, node in zip(page.rows, nodes, strict=True)
    ]

    async def counter() -> int:
        async with ctx.read_engine.connect() as session:
            return await count_rows(session, stmt)

    return Connection(
        edges=edges,
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            # An empty page (first: 0, or past the end) keeps the caller's position, so a
            # client that pages on endCursor never starts again from the beginning.
            start_cursor=edges[0].cursor if edges else after,
            end_cursor=edges[-1].cursor if edges else after,
        ),
        counter=counter,
    )


async def node(ctx: Context, global_id: str) -> Node | None:
    try:
        type_name, pk = from_global_id(global_id)
    except BadGlobalId as e:
        raise QueryError(QueryErrorCode.INVALID_ID, "id", str(e)) from None
    entry = NODE_TYPES.get(type_name)
    if entry is None:
        raise QueryError(QueryErrorCode.INVALID_ID, "id", f"no object type is called {type_name!r}")
    found: Node | None = await getattr(ctx.loaders, entry.loader).load(pk)
    return found


async def cell(ctx: Context, global_id: str | None, code: str | None) -> Cell | None:
    if (global_id is None) == (code is None):
        raise QueryError(QueryErrorCode.INVALID_ARGUMENT, "id", "give exactly one of id and code")
    if code is not None:
        return await ctx.loaders.cell_by_code.load(code)
    assert global_id is not None
    try:
        _, pk = from_global_id(global_id, expect="Cell")
    except BadGlobalId as e:
        raise QueryError(QueryErrorCode.INVALID_ID, "id", str(e)) from None
    return await ctx.loaders.cell_by_id.load(pk)


async def cells(
    ctx: Context,
    *,
    level: Any,
    under: str | None,
    search: str | None,
    first: int | None,
    after: str | None,
) -> Connection[Cell]:
    path = await cell_path(ctx, under, "under")
    stmt = grid.filtered_cells(ctx.viewer.read, level=level, under_path=path, search=search)
    return await connection(ctx, stmt, models.Cell.id, Cell.from_row, first=first, after=after)


def _values(items: Sequence[Any] | None) -> tuple[Any, ...]:
    return tuple(items or ())


async def needs(
    ctx: Context, f: NeedFilter | None, *, first: int | None, after: str | None
) -> Connection[Need]:
    f = f or NeedFilter()
    flt = lists.NeedFilter(
        under_path=await cell_path(ctx, f.under, "filter.under"),
        categories=_values(f.category),
        statuses=_values(f.status),
        urgencies=_values(f.urgency),
        search=f.search,
    )
    viewer = ctx.viewer
    return await connection(
        ctx,
        lists.filtered_needs(viewer.read, flt),
        models.Need.id,
        lambda row: Need.from_row(row, viewer),
        first=first,
        after=after,
    )


async def resources(
    ctx: Context, f: ResourceFilter | None, *, first: int | None, after: str | None
) -> Connection[Resource]:
    f = f or ResourceFilter()
    flt = lists.ResourceFilter(
        under_path=await cell_path(ctx, f.under, "filter.under"),
        categories=_values(f.category),
        kinds=_values(f.kind),
        statuses=_values(f.status),
        search=f.search,
    )
    return await connection(
        ctx,
        lists.filtered_resources(ctx.viewer.read, flt),
        models.Resource.id,
        Resource.from_row,
        first=first,
        after=after,
    )


async def deeds(
    ctx: Context, f: DeedFilter | None, *, first: int | None, after: str | None
) -> Connection[Deed]:
    f = f or DeedFilter()
    flt = lists.DeedFilter(
        under_path=await cell_path(ctx, f.under, "filter.under"),
        statuses=_values(f.status),
        published=f.published,
        search=f.search,
    )
    return await connection(
        ctx,
        lists.filtered_deeds(ctx.viewer.read, flt),
        models.Deed.id,
        Deed.from_row,
        first=first,
        after=after,
    )


async def people(
    ctx: Context, *, under: str | None, search: str | None, first: int | None, after: str | None
) -> Connection[Person]:
    path = await cell_path(ctx, under, "under")
    stmt = members.filtered_people(ctx.viewer.read, under_path=path, search=search)
    viewer = ctx.viewer
    return await connection(
        ctx,
        stmt,
        models.Person.id,
        lambda row: Person.from_row(row, viewer),
        first=first,
        after=after,
    )


async def organisations(
    ctx: Context, *, under: str | None, kind: Any, first: int | None, after: str | None
) -> Connection[Organisation]:
    path = await cell_path(ctx, under, "under")
    stmt = members.filtered_organisations(ctx.viewer.read, under_path=path, kind=kind)
    return await connection(
        ctx, stmt, models.Organisation.id, Organisation.from_row, first=first, after=after
    )
