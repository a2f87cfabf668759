"""The logic behind the root queries: lookups by id or code, and each connection root as its
page query (`resolvers.pages`) then the page read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sandan.db.repositories.batch import Record
from sandan.db.repositories.pages import count_rows, keyset_page
from sandan.resolvers import pages
from sandan.resolvers.errors import QueryError, QueryErrorCode
from sandan.resolvers.paging import PageQuery, RowsBuilder, page_query
from sandan.schema.connections import Connection, Edge, PageInfo, encode_cursor
from sandan.schema.context import Context
from sandan.schema.ids import BadGlobalId, from_global_id
from sandan.schema.inputs import DeedFilter, NeedFilter, ResourceFilter
from sandan.schema.registry import NODE_TYPES
from sandan.schema.types.deeds import Deed
from sandan.schema.types.fields import RowType
from sandan.schema.types.grid import Cell
from sandan.schema.types.lists import Need, Resource
from sandan.schema.types.members import Organisation, Person
from sandan.schema.types.node import Node

T = TypeVar("T")


async def read_page(ctx: Context, query: PageQuery, build: Callable[[Record], T]) -> Connection[T]:
    """The second step of a connection root: read the page its query decided (see
    `resolvers.pages`) and wrap the rows as Relay edges."""
    async with ctx.read_engine.connect() as session:
        page = await keyset_page(
            session,
            query.rows,
            query.id_column,
            first=query.first,
            after=query.after,
            descending=query.newest_first,
        )
    nodes = [build(row) for row in page.rows]
    edges = [
        Edge(cursor=encode_cursor(row.id), node=node)
        for row, node in zip(page.rows, nodes, strict=True)
    ]

    async def counter() -> int:
        async with ctx.read_engine.connect() as session:
            return await count_rows(session, query.rows)

    after = query.after_cursor
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


R = TypeVar("R", bound=RowType)


async def _listed(ctx: Context, step: RowsBuilder, of: type[R], **arguments: Any) -> Connection[R]:
    """A connection root: the page query of `step` (`resolvers.pages`), read as objects of
    `of` (masked for the caller)."""
    viewer = ctx.viewer
    query = await page_query(ctx, step, **arguments)
    return await read_page(ctx, query, lambda row: of.from_row(row, viewer))


async def node(ctx: Context, global_id: str) -> Node | None:
    try:
        type_name, pk = from_global_id(global_id)
    except BadGlobalId as e:
        raise QueryError(QueryErrorCode.INVALID_ID, "id", str(e)) from None
    entry = NODE_TYPES.get(type_name)
    if entry is None:
        message = f"no object type is called {type_name[:40]!r}"
        raise QueryError(QueryErrorCode.INVALID_ID, "id", message)
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
    return await _listed(
        ctx, pages.cells, Cell, level=level, under=under, search=search, first=first, after=after
    )


async def needs(
    ctx: Context, f: NeedFilter | None, *, first: int | None, after: str | None
) -> Connection[Need]:
    return await _listed(ctx, pages.needs, Need, filter=f, first=first, after=after)


async def resources(
    ctx: Context, f: ResourceFilter | None, *, first: int | None, after: str | None
) -> Connection[Resource]:
    return await _listed(ctx, pages.resources, Resource, filter=f, first=first, after=after)


async def deeds(
    ctx: Context, f: DeedFilter | None, *, first: int | None, after: str | None
) -> Connection[Deed]:
    return await _listed(ctx, pages.deeds, Deed, filter=f, first=first, after=after)


async def people(
    ctx: Context, *, under: str | None, search: str | None, first: int | None, after: str | None
) -> Connection[Person]:
    return await _listed(
        ctx, pages.people, Person, under=under, search=search, first=first, after=after
    )


async def organisations(
    ctx: Context, *, under: str | None, kind: Any, first: int | None, after: str | None
) -> Connection[Organisation]:
    return await _listed(
        ctx, pages.organisations, Organisation, under=under, kind=kind, first=first, after=after
    )
