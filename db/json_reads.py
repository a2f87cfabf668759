"""Nested reads answered by PostgreSQL as one JSON document (PostgreSQL only).

A village nested down to its people is ~1,400 fields over four levels. Through loaders that is
five round trips, each decoding rows into Python objects that are then encoded again as JSON.
Here the whole tree is one statement: correlated subqueries with `json_build_object` and
`json_agg`, so PostgreSQL returns the finished JSON text and Python passes it through. The
same rules as the loaders apply: the caller's read scope filters every row, personal columns are
NULL outside their personal scope, and lists keep the loaders' order.

Only whitelisted tables, columns and relations can be named (see `SOURCES` and
`sandan.db.repositories.relations.RELATIONS`, which the loaders read through as well); values
travel as bind parameters, never inside the SQL text. Pages of rows built the same way are in
`sandan.db.json_pages`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from sandan.db.models import Cell, Need, Organisation, Person, Resource
from sandan.db.place import PLACE_COLUMN
from sandan.db.repositories.relations import RELATIONS, Relation
from sandan.db.scope import Scope


@dataclass(frozen=True)
class Source:
    """A table whose rows can become JSON objects, and how to find each row's cell path."""

    table: Table
    # Tables other than `cells` join their cell for the path that scopes read the row.
    via_cell: bool
    # Columns the source's selects add to the table's (`need_select`): readable on the rows of
    # a page, which come from such a select (sandan.db.json_pages), not on joined tables.
    computed: tuple[str, ...] = ()


SOURCES: dict[str, Source] = {
    "cells": Source(Cell.__table__, via_cell=False),  # type: ignore[arg-type]
    "people": Source(Person.__table__, via_cell=True),  # type: ignore[arg-type]
    "organisations": Source(Organisation.__table__, via_cell=True),  # type: ignore[arg-type]
    "needs": Source(Need.__table__, via_cell=True, computed=(PLACE_COLUMN,)),  # type: ignore[arg-type]
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
    """Another object (or list of them) reached through `relation` from `parent_column`; with
    `outside`, from that column instead where the caller's personal scope does not cover the
    row (a need's place, sandan.db.place)."""

    key: str
    parent_column: str
    relation: str
    node: Node
    outside: str | None = None


@dataclass(frozen=True)
class Node:
    source: str
    fields: tuple[Value | GlobalId | Constant | Related, ...]


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


def _in_scope(path: str, paths: str) -> str:
    return (
        f"({paths} IS NULL OR EXISTS "
        f"(SELECT FROM unnest({paths}) AS s(prefix) WHERE starts_with({path}, s.prefix)))"
    )


def _column(source: Source, column: str, selected: bool = False) -> str:
    if column not in source.table.c and not (selected and column in source.computed):
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


def _object(builder: _Builder, node: Node, alias: str, path: str, selected: bool = False) -> str:
    """The JSON object of the row `alias` (`selected`: a row of the source's select, with its
    computed columns) whose cell path is `path`."""
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
            if f.outside is not None:
                builder.uses_personal = True
                other = f"{alias}.{_column(source, f.outside, selected)}"
                covered = _in_scope(path, builder.personal)
                parent = f"CASE WHEN {covered} THEN {parent} ELSE {other} END"
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
