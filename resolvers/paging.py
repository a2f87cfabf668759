"""What every page step uses: the page query a connection root decides (`PageQuery`,
`page_query`), its checked page size and cursor, a checked search text and the cell a filter
names. The steps themselves, root by root, are in `resolvers.pages`; the connection roots of
other modules (claims, runs) build on this module as well, so none imports `resolvers.pages`
back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select

from sandan.resolvers.errors import QueryError, QueryErrorCode
from sandan.resolvers.text import unprintable
from sandan.schema.connections import BadCursor, decode_cursor
from sandan.schema.context import Context
from sandan.schema.ids import BadGlobalId, from_global_id, shown
from sandan.schema.types.grid import Cell


@dataclass(frozen=True)
class PageQuery:
    """A page as its arguments decide it: the filtered select (scopes and filters applied),
    its id column (pages run in id order), the checked page size and the decoded cursor."""

    rows: Select[Any]
    id_column: Any  # the mapped id attribute of the rows' model (`models.Need.id`)
    first: int
    after: int | None
    # The cursor as the client sent it: an empty page reports it back as its position.
    after_cursor: str | None
    # Highest id first (a list whose newest entries matter most, e.g. optimisation runs).
    newest_first: bool = False


@dataclass(frozen=True)
class NewestFirst:
    """A builder's id column when its root pages from the highest id down."""

    column: Any


# The filtered select of a root's rows and their id column (pages run in id order, or highest id
# first when the column is wrapped in NewestFirst).
Rows = tuple[Select[Any], Any]
RowsBuilder = Callable[..., Awaitable[Rows]]


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


# Names and titles are short: a longer search cannot match and costs a scan of its own.
MAX_SEARCH = 200


def searched(search: str | None, field: str) -> str | None:
    """A search text fit to send to the database, or a typed error. A NUL would end the
    pattern early in SQLite (matching every row) and is refused by PostgreSQL; a lone surrogate
    cannot be encoded: both are refused rather than matched some other way."""
    if search is None:
        return None
    if len(search) > MAX_SEARCH:
        message = f"is {len(search)} characters; at most {MAX_SEARCH}"
        raise QueryError(QueryErrorCode.INVALID_ARGUMENT, field, message)
    if unprintable(search):
        message = "holds a control character or an unpaired surrogate: send plain text"
        raise QueryError(QueryErrorCode.INVALID_ARGUMENT, field, message)
    return search


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
    return (await named_cell(ctx, global_id, field)).path


async def named_cell(ctx: Context, global_id: str, field: str) -> Cell:
    """The cell an argument names by its global id; INVALID_ID or NOT_FOUND on `field`."""
    try:
        _, pk = from_global_id(global_id, expect="Cell")
    except BadGlobalId as e:
        raise QueryError(QueryErrorCode.INVALID_ID, field, str(e)) from None
    cell: Cell | None = await ctx.loaders.cell_by_id.load(pk)
    if cell is None:
        raise QueryError(QueryErrorCode.NOT_FOUND, field, f"no cell has id {shown(global_id)}")
    return cell


async def page_query(
    ctx: Context,
    rows_of: RowsBuilder,
    *,
    first: int | None = None,
    after: str | None = None,
    **arguments: Any,
) -> PageQuery:
    """The page query of a root whose rows `rows_of` selects from the root's other arguments.
    Those are checked first, then the page size and cursor (the order errors surface in)."""
    rows, id_column = await rows_of(ctx, **arguments)
    newest_first = isinstance(id_column, NewestFirst)
    if newest_first:
        id_column = id_column.column
    size, start = page_size(ctx, first), after_pk(after)
    return PageQuery(rows, id_column, size, start, after, newest_first)
