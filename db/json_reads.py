"""Nested reads answered by PostgreSQL as one JSON document (PostgreSQL only).

A village nested down to its people is ~1,400 fields over four levels. Through loaders that is
five round trips, each decoding rows into Python objects that are then encoded again as JSON.
Here the whole tree is one statement: correlated subqueries with `json_build_object` and
`json_agg`, so PostgreSQL returns the finished JSON text and Python passes it through. The
same rules as the loaders apply: the caller's read scope filters every row, personal columns are
NULL outside their personal scope, and lists keep the loaders' order.

Only whitelisted tables, columns and relations can be named (see `SOURCES` and
`sandan.db.repositories.relations.RELATIONS`, which the loaders read through as well); values
travel as bind parameters, never inside the SQL text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from sandan.db.models import Cell, Need, Organisation, Person, Resource
from sandan.db.repositories.relations import RELATIONS, Relation
from sandan.db.scope import Scope


@dataclass(frozen=True)
class Source:
    """A table whose rows can become JSON objects, and how to find each row's cell path."""

    table: Table
    # Tables other than `cells` join their cell for the path that scopes read the row.
    via_cell: bool


SOURCES: dict[str, Source] = {
    "cells": Source(Cell.__table__, via_cell=False),  # type: ignore[arg-type]
    "people": Source(Person.__table__, via_cell=True),  # type: ignore[arg-type]
    "organisations": Source(Organisation.__table__, via_cell=True),  # type: ignore[arg-type]
    "needs": Source(Need.__table__, via_cell=True),  # type: ignore[arg-type]
    "resources": Source(Resource.__table__, via_cell=True),  # type: ignore[arg-type]
}


@dataclass(frozen=True)
class Value:
    """A column as it is; `personal` columns are NULL outside the caller's personal scope."""

    key: str
    column: str
    personal: bool = False


@dataclass(frozen=True)
class GlobalId:
    """The Relay id: base64 of "TypeName:pk"."""

    key: str
    type_name: str


@dataclass(frozen=True)
class Constant:
    key: str
    value: str


@dataclass(frozen=True)
class Related:
    """Another object (or list of them) reached through `relation` from `parent_column`."""

    key: str
    parent_column: str
    relation: str
    node: Node


@dataclass(frozen=True)
class Node:
    source: str
    fields: tuple[Value | GlobalId | Constant | Related, ...]


@dataclass(frozen=True)
class PageField:
    """A field of a connection, its page info or an edge: `what` is one of total_count,
    page_info, edges, nodes (connection); has_next_page, has_previous_page, start_cursor,
    end_cursor (page info); cursor, node (edge); or typename (any of them, with `value`)."""

    key: str
    what: str
    fields: tuple[PageField, ...] = ()
    node: Node | None = None
    value: str = ""


@dataclass(frozen=True)
class Page:
    """The selection of a Relay connection whose nodes are rows of `source`."""

    source: str
    fields: tuple[PageField, ...]


class UnknownName(ValueError):
    """A spec names a table, column or relation that is not whitelisted here."""


@dataclass
class JsonQuery:
    """One statement returning one JSON text (or NULL when the root row is absent or hidden)."""

    sql: str
    uses_personal: bool

    def args(self, key: Any, read: Scope, personal: Scope) -> list[Any]:
        values: list[Any] = [key, _paths(read)]
        if self.uses_personal:
            values.append(_paths(personal))
        return values


def _paths(scope: Scope) -> list[str] | None:
    # NULL means the whole grid: PostgreSQL folds the test away (plans are custom per run).
    return None if scope.paths is None else list(scope.paths)


@dataclass
class _Builder:
    # How the statement names its scope parameters: positional for roots run as they are,
    # named for pages, which SQLAlchemy compiles around the resolver's filtered select.
    read: str
    personal: str
    aliases: int = 0
    uses_personal: bool = False

    def alias(self) -> str:
        self.aliases += 1
        return f"t{self.aliases}"


def _positional() -> _Builder:
    return _Builder(read="$2::text[]", personal="$3::text[]")


def _named() -> _Builder:
    return _Builder(read="CAST(:read_paths AS text[])", personal="CAST(:personal_paths AS text[])")


def _in_scope(path: str, paths: str) -> str:
    return (
        f"({paths} IS NULL OR EXISTS "
        f"(SELECT FROM unnest({paths}) AS s(prefix) WHERE starts_with({path}, s.prefix)))"
    )


def _column(source: Source, column: str) -> str:
    if column not in source.table.c:
        raise UnknownName(f"{source.table.name}.{column}")
    return column


def _source(name: str) -> Source:
    try:
        return SOURCES[name]
    except KeyError:
        raise UnknownName(name) from None


def _relation(name: str) -> Relation:
    try:
        return RELATIONS[name]
    except KeyError:
        raise UnknownName(name) from None


def _from(source: Source, alias: str) -> tuple[str, str]:
    """(FROM clause, path expression) for rows of `source` named `alias`."""
    if not source.via_cell:
        return f"{source.table.name} {alias}", f"{alias}.path"
    return (
        f"{source.table.name} {alias} JOIN cells {alias}c ON {alias}c.id = {alias}.cell_id",
        f"{alias}c.path",
    )


def _object(builder: _Builder, node: Node, alias: str, path: str) -> str:
    source = _source(node.source)
    pairs: list[str] = []
    for f in node.fields:
        if isinstance(f, Value):
            value = f"{alias}.{_column(source, f.column)}"
            if f.personal:
                builder.uses_personal = True
                value = f"CASE WHEN {_in_scope(path, builder.personal)} THEN {value} END"
        elif isinstance(f, GlobalId):
            value = _base64_id(f.type_name, f"{alias}.id")
        elif isinstance(f, Constant):
            value = f"'{_identifier(f.value)}'::text"
        else:
            parent = f"{alias}.{_column(source, f.parent_column)}"
            value = _related(builder, f.relation, f.node, parent)
        pairs.append(f"'{_identifier(f.key)}', {value}")
    if not pairs:
        return "json_build_object()"
    return f"json_build_object({', '.join(pairs)})"


def _base64_id(prefix: str, column: str) -> str:
    # Short ids never reach base64's 76-character line breaks; translate() is a guard.
    encoded = f"encode(convert_to('{_identifier(prefix)}:' || {column}, 'UTF8'), 'base64')"
    return f"translate({encoded}, E'\\n', '')"


def _related(builder: _Builder, relation_name: str, node: Node, parent_key: str) -> str:
    relation = _relation(relation_name)
    if relation.source != node.source:
        raise UnknownName(f"{relation_name} gives {relation.source}, not {node.source}")
    source = _source(relation.source)
    alias = builder.alias()
    from_clause, path = _from(source, alias)
    where = [
        f"{alias}.{_column(source, relation.column)} = {parent_key}",
        _in_scope(path, builder.read),
    ]
    if relation.active_only:
        where.append(f"{alias}.{_column(source, 'active')}")
    obj = _object(builder, node, alias, path)
    conditions = " AND ".join(where)
    if not relation.many:
        return f"(SELECT {obj} FROM {from_clause} WHERE {conditions})"
    order = ", ".join(f"{alias}.{_column(source, c)}" for c in relation.order_by)
    aggregate = f"json_agg({obj} ORDER BY {order})" if order else f"json_agg({obj})"
    return f"(SELECT coalesce({aggregate}, '[]'::json) FROM {from_clause} WHERE {conditions})"


def _identifier(name: str) -> str:
    # Keys, type names and constants come from the GraphQL schema: names only, so they are safe
    # inside quotes; anything else is refused rather than escaped.
    if not name.replace("_", "a").isalnum() or not name.isascii():
        raise UnknownName(name)
    return name


def compile_root(relation_name: str, node: Node) -> JsonQuery:
    """The statement for one root object looked up through `relation_name` by $1."""
    builder = _positional()
    relation = _relation(relation_name)
    if relation.many:
        raise UnknownName(f"{relation_name} is a list; roots are single objects")
    body = _related(builder, relation_name, node, "$1")
    return JsonQuery(sql=f"SELECT {body}::text", uses_personal=builder.uses_personal)


async def fetch_json(
    read_engine: AsyncEngine, query: JsonQuery, key: Any, read: Scope, personal: Scope
) -> str | None:
    """Runs `query` on a pooled autocommit connection; the answer is one text value."""
    async with read_engine.connect() as conn:
        result = await conn.exec_driver_sql(query.sql, tuple(query.args(key, read, personal)))
        text: str | None = result.scalar()
        return text


@dataclass
class PageJson:
    """The JSON part of a page statement; the rows come from the resolver's filtered select,
    which `page_statement` puts in front of it as common table expressions."""

    source: Source
    json_sql: str
    uses_personal: bool
    # totalCount is asked for: every matching id is read anyway (see `page_statement`).
    counts: bool


_CURSOR = "cursor"


def compile_page(page: Page) -> PageJson:
    source = _source(page.source)
    builder = _named()
    path = "p.cell_path" if source.via_cell else "p.path"

    def boundary(order: str) -> str:
        # An empty page keeps the caller's position (as the loader path does).
        return (
            f"coalesce((SELECT {_base64_id(_CURSOR, 'e.id')} FROM rw e ORDER BY e.id{order} "
            "LIMIT 1), CAST(:after_cursor AS text))"
        )

    fixed = {
        "total_count": "(SELECT count(*) FROM ids)",
        "has_next_page": "((SELECT count(*) FROM pg) > CAST(:first AS integer))",
        "has_previous_page": "CAST(:has_previous AS boolean)",
        "start_cursor": boundary(""),
        "end_cursor": boundary(" DESC"),
        "cursor": _base64_id(_CURSOR, "p.id"),
    }

    def rows_of(item: str) -> str:
        return f"(SELECT coalesce(json_agg({item} ORDER BY p.id), '[]'::json) FROM rw p)"

    def value(f: PageField) -> str:
        # Which field may stand where is the caller's business (schema.fastpath.sql); here
        # each kind has one meaning wherever it appears.
        if f.what == "typename":
            return f"'{_identifier(f.value)}'::text"
        if f.what in fixed:
            return fixed[f.what]
        if f.what == "page_info":
            return _pairs(f.fields, value)
        if f.what == "edges":
            return rows_of(_pairs(f.fields, value))
        if f.what in ("nodes", "node"):
            obj = _object(builder, _need(f.node), "p", path)
            return rows_of(obj) if f.what == "nodes" else obj
        raise UnknownName(f.what)

    json_sql = _pairs(page.fields, value)
    counts = any(f.what == "total_count" for f in page.fields)
    return PageJson(source, json_sql, uses_personal=builder.uses_personal, counts=counts)


def _need(node: Node | None) -> Node:
    if node is None:
        raise UnknownName("a node without its selection")
    return node


def _pairs(fields: tuple[PageField, ...], value: Any) -> str:
    pairs = [f"'{_identifier(f.key)}', {value(f)}" for f in fields]
    return f"json_build_object({', '.join(pairs)})"


def page_statement(
    page: PageJson,
    rows: Select[Any],
    id_column: ColumnElement[int],
    *,
    first: int,
    after: int | None,
    after_cursor: str | None,
    read: Scope,
    personal: Scope,
) -> Select[Any]:
    """One statement answering a page of `rows` (the resolver's filtered select): `m` is every
    matching row (inlined into each use, so PostgreSQL reads only the columns each needs), `pg`
    the page and one more row (does a next page exist?), `rw` the page itself."""
    wanted = set(page.source.table.c.keys()) | {"cell_path" if page.source.via_cell else "path"}
    if not wanted <= set(rows.selected_columns.keys()):
        raise UnknownName(f"the select lacks {sorted(wanted - set(rows.selected_columns.keys()))}")
    id_name = _identifier(str(id_column.key))
    # Only `m` is a SQLAlchemy CTE (it carries the resolver's filters and their parameters);
    # the page CTEs are text inside the scalar subquery: building CTE objects over two dozen
    # columns costs SQLAlchemy about a millisecond each.
    m = rows.order_by(None).cte("m").prefix_with("NOT MATERIALIZED")
    params: dict[str, Any] = {
        "read_paths": _paths(read),
        "first": first,
        "has_previous": after is not None,
        "after_cursor": after_cursor,
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
