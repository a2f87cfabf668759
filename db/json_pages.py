"""A page of rows answered by PostgreSQL as one JSON document (PostgreSQL only).

The rows are any filtered select (its filters and the caller's scope already applied), read
in id order from an optional id onwards; the page is described by its parts: how many rows
match, whether more rows follow or precede, the keys of the first and last row, and the rows
themselves as JSON objects (`sandan.db.json_reads.Node`, with the same scope rules). What the
API calls these parts is the caller's business: here a part has one meaning wherever it appears.
A row's key is base64 of "<key_prefix>:<id>", the form the API's cursors take.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from sandan.db.json_reads import (  # the object builder this module shares with json_reads
    Node,
    Source,
    UnknownName,
    _base64_id,
    _Builder,
    _identifier,
    _object,
    _paths,
    _source,
)
from sandan.db.scope import Scope


class Part(enum.Enum):
    """What one value of a page's JSON holds."""

    CONSTANT = "constant"  # the text `value`
    COUNT = "count"  # how many rows match in all
    MORE_AFTER = "more_after"  # whether rows follow the page
    MORE_BEFORE = "more_before"  # whether the page starts after a given id
    FIRST_KEY = "first_key"  # the page's first row's key (the given position when empty)
    LAST_KEY = "last_key"  # the page's last row's key (the given position when empty)
    OBJECT = "object"  # an object of `fields`
    ROWS = "rows"  # a list, one item per row of the page: `node`, or an object of `fields`
    ROW_KEY = "row_key"  # inside ROWS: the row's key
    ROW = "row"  # inside ROWS: the row as `node`


@dataclass(frozen=True)
class PagePart:
    key: str
    part: Part
    fields: tuple[PagePart, ...] = ()
    node: Node | None = None
    value: str = ""


@dataclass(frozen=True)
class Page:
    """The JSON object of a page of rows of `source`."""

    source: str
    fields: tuple[PagePart, ...]
    key_prefix: str


@dataclass
class PageJson:
    """The JSON part of a page statement; the rows come from the caller's filtered select,
    which `page_statement` puts in front of it as common table expressions."""

    source: Source
    json_sql: str
    uses_personal: bool
    # The count is asked for: every matching id is read anyway (see `page_statement`).
    counts: bool


def _named() -> _Builder:
    # Named parameters: SQLAlchemy compiles the statement around the caller's select.
    return _Builder(read="CAST(:read_paths AS text[])", personal="CAST(:personal_paths AS text[])")


def compile_page(page: Page) -> PageJson:
    source = _source(page.source)
    builder = _named()
    path = "p.cell_path" if source.via_cell else "p.path"
    prefix = page.key_prefix

    def boundary(order: str) -> str:
        # An empty page keeps the caller's position (as the loader path does).
        return (
            f"coalesce((SELECT {_base64_id(prefix, 'e.id')} FROM rw e ORDER BY e.id{order} "
            "LIMIT 1), CAST(:position AS text))"
        )

    fixed = {
        Part.COUNT: "(SELECT count(*) FROM ids)",
        Part.MORE_AFTER: "((SELECT count(*) FROM pg) > CAST(:first AS integer))",
        Part.MORE_BEFORE: "CAST(:has_previous AS boolean)",
        Part.FIRST_KEY: boundary(""),
        Part.LAST_KEY: boundary(" DESC"),
        Part.ROW_KEY: _base64_id(prefix, "p.id"),
    }

    def rows_of(item: str) -> str:
        return f"(SELECT coalesce(json_agg({item} ORDER BY p.id), '[]'::json) FROM rw p)"

    def value(f: PagePart) -> str:
        if f.part == Part.CONSTANT:
            return f"'{_identifier(f.value)}'::text"
        if f.part in fixed:
            return fixed[f.part]
        if f.part == Part.OBJECT:
            return _pairs(f.fields, value)
        row = _object(builder, f.node, "p", path, selected=True) if f.node is not None else None
        if f.part == Part.ROWS:
            return rows_of(row if row is not None else _pairs(f.fields, value))
        if f.part == Part.ROW and row is not None:
            return row
        raise UnknownName(f"{f.part.value} without its selection")

    json_sql = _pairs(page.fields, value)
    counts = any(f.part == Part.COUNT for f in page.fields)
    return PageJson(source, json_sql, uses_personal=builder.uses_personal, counts=counts)


def _pairs(fields: tuple[PagePart, ...], value: Any) -> str:
    pairs = [f"'{_identifier(f.key)}', {value(f)}" for f in fields]
    return f"json_build_object({', '.join(pairs)})"


def page_statement(
    page: PageJson,
    rows: Select[Any],
    id_column: ColumnElement[int],
    *,
    first: int,
    after: int | None,
    position: str | None,
    read: Scope,
    personal: Scope,
) -> Select[Any]:
    """One statement answering a page of `rows` (the caller's filtered select): `m` is every
    matching row (inlined into each use, so PostgreSQL reads only the columns each needs), `pg`
    the page and one more row (does a next page exist?), `rw` the page itself. `position` is
    where the caller asked to start, as they wrote it: an empty page reports it back."""
    wanted = set(page.source.table.c.keys()) | {"cell_path" if page.source.via_cell else "path"}
    wanted |= set(page.source.computed)
    if not wanted <= set(rows.selected_columns.keys()):
        raise UnknownName(f"the select lacks {sorted(wanted - set(rows.selected_columns.keys()))}")
    id_name = _identifier(str(id_column.key))
    # Only `m` is a SQLAlchemy CTE (it carries the caller's filters and their parameters);
    # the page CTEs are text inside the scalar subquery: building CTE objects over two dozen
    # columns costs SQLAlchemy about a millisecond each.
    m = rows.order_by(None).cte("m").prefix_with("NOT MATERIALIZED")
    params: dict[str, Any] = {
        "read_paths": _paths(read),
        "first": first,
        "has_previous": after is not None,
        "position": position,
        "after": after,
    }
    if page.uses_personal:
        params["personal_paths"] = _paths(personal)
    limit = "LIMIT CAST(:first AS integer) + 1"
    if page.counts:
        # The count reads every matching id anyway: keep them (index-only, narrow) and take
        # the page's ids from them. Walking the id index instead until a page is full reads
        # every earlier row of the whole table when a subtree's rows have high ids.
        after_ids = "WHERE ids.id > CAST(:after AS bigint) " if after is not None else ""
        page_rows = (
            f"ids AS MATERIALIZED (SELECT m.{id_name} AS id FROM m), "
            f"pg AS (SELECT * FROM m WHERE m.{id_name} IN "
            f"(SELECT ids.id FROM ids {after_ids}ORDER BY ids.id {limit}))"
        )
    else:
        after_m = f"WHERE m.{id_name} > CAST(:after AS bigint) " if after is not None else ""
        page_rows = f"pg AS (SELECT * FROM m {after_m}ORDER BY m.{id_name} {limit})"
    body = (
        f"(WITH {page_rows}, "
        f"rw AS (SELECT * FROM pg ORDER BY pg.{id_name} LIMIT CAST(:first AS integer)) "
        f"SELECT {page.json_sql})::text"
    )
    used = {name: value for name, value in params.items() if re.search(rf":{name}\b", body)}
    return select(text(body).bindparams(**used)).add_cte(m)


async def fetch_page_json(read_engine: AsyncEngine, statement: Select[Any]) -> str:
    async with read_engine.connect() as conn:
        answer: str = (await conn.execute(statement)).scalar_one()
        return answer
