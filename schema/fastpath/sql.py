"""Turning a planned selection into one PostgreSQL JSON statement (see `sandan.db.json_reads`).

Only types, fields and relations listed here are translated; a selection with anything else
keeps the loader path. Nothing is listed by hand: `TYPES` comes from the field declarations of
the registered Node types (`schema.types.fields`: which column feeds which field, which fields
are personal), relations from `db.repositories.relations` (which the loaders read through), and
a test compares the answers of both paths field by field for every listed field.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandan.db import json_reads
from sandan.db.repositories.relations import RELATIONS
from sandan.schema.fastpath.plan import (
    FieldPlan,
    NotCompilable,
    RootPlan,
    SelectionPlan,
    iso_date,
)
from sandan.schema.read_audit import HOUSEHOLD_OF
from sandan.schema.registry import NODE_TYPES, NodeType
from sandan.schema.types.fields import CELL_SCOPE, row_mapping


@dataclass(frozen=True)
class TypeColumns:
    source: str
    # GraphQL field's python name -> column, for fields copied as they are.
    values: dict[str, str]
    # The same for personal fields: NULL unless the viewer's personal scope covers the row.
    personal: dict[str, str]
    # Private key attributes used by `via` metadata -> column (keys masked as personal are
    # left out, so a personal nested field keeps the loader path).
    keys: dict[str, str]
    # Keys that outside the personal scope read another column (a need's place, `place_key`):
    # attribute -> (column, column outside the scope).
    placed: dict[str, tuple[str, str]]


def _type_columns(entry: NodeType) -> TypeColumns:
    """The columns of a type as its field declarations give them (`schema.types.fields`)."""
    values: dict[str, str] = {}
    personal: dict[str, str] = {}
    keys: dict[str, str] = {}
    placed: dict[str, tuple[str, str]] = {}
    for c in row_mapping(entry.strawberry_type).columns:
        if c.convert is not None:
            continue  # computed in Python: such a field keeps the loader path
        if c.private:
            if c.personal is None:
                keys[c.attr] = c.column
            elif c.personal == CELL_SCOPE and c.outside is not None:
                placed[c.attr] = (c.column, c.outside)
        elif c.personal is None:
            values[c.attr] = c.column
        elif c.personal == CELL_SCOPE and entry.strawberry_type.__name__ not in HOUSEHOLD_OF:
            # (A household's personal data keeps the loader path, where the audit sees it.)
            # The JSON path tests the row's cell path against the personal scope.
            personal[c.attr] = c.column
    return TypeColumns(entry.table, values, personal, keys, placed)


# Every Node type whose table the JSON path can read.
TYPES: dict[str, TypeColumns] = {
    name: _type_columns(entry)
    for name, entry in NODE_TYPES.items()
    if entry.table in json_reads.SOURCES
}

# Root fields answered by one statement: field name -> argument -> (relation, key decoder).
ROOT_RELATIONS = {"cell": {"code": "cell_by_code", "id": "cell_by_id"}}


def json_queries(root: RootPlan) -> dict[str, json_reads.JsonQuery]:
    """Statements for a root whose whole selection PostgreSQL can build; empty otherwise."""
    relations = ROOT_RELATIONS.get(root.field_node.name.value)
    if relations is None or root.sub is None or root.list_depth:
        return {}
    try:
        node = json_node(root.sub)
        return {
            argument: json_reads.compile_root(name, node) for argument, name in relations.items()
        }
    except (NotCompilable, json_reads.UnknownName):
        return {}


def json_node(plan: SelectionPlan) -> json_reads.Node:
    """The JSON spec of `plan`; raises NotCompilable for anything not listed above."""
    columns = TYPES.get(plan.typename)
    if columns is None:
        raise NotCompilable(f"{plan.typename} has no SQL columns")
    return json_reads.Node(
        source=columns.source, fields=tuple(_field(columns, plan.typename, f) for f in plan.fields)
    )


def _field(
    columns: TypeColumns, typename: str, f: FieldPlan
) -> json_reads.Value | json_reads.GlobalId | json_reads.Constant | json_reads.Related:
    if f.kind == "typename":
        return json_reads.Constant(f.key, typename)
    if f.kind == "attr":
        # JSON from PostgreSQL equals the API's JSON for text, numbers, booleans, JSON lists,
        # str enums whose names are their values (leaf None) and dates (ISO either way).
        if f.leaf not in (None, iso_date):
            raise NotCompilable(f"{typename}.{f.attr} needs a serialiser")
        if f.attr == "id":
            return json_reads.GlobalId(f.key, typename)
        if f.attr in columns.values:
            return json_reads.Value(f.key, columns.values[f.attr])
        if f.attr in columns.personal:
            return json_reads.Value(f.key, columns.personal[f.attr], personal=True)
        raise NotCompilable(f"{typename}.{f.attr} has no SQL column")
    if f.kind == "via" and f.via is not None and f.sub is not None:
        loader, key_attr, mode = f.via
        relation = RELATIONS.get(loader)
        known = key_attr in columns.keys or key_attr in columns.placed
        if mode != "one" or not known or relation is None:
            raise NotCompilable(f"{typename}.{f.attr} reads {loader} by {key_attr}")
        # A missing single object is NULL in SQL; the loader path reports a required one.
        if relation.many != bool(f.list_depth) or (f.non_null and not relation.many):
            raise NotCompilable(f"{typename}.{f.attr}: nullability or list shape")
        if key_attr in columns.placed:
            column, outside = columns.placed[key_attr]
            return json_reads.Related(f.key, column, loader, json_node(f.sub), outside=outside)
        return json_reads.Related(f.key, columns.keys[key_attr], loader, json_node(f.sub))
    raise NotCompilable(f"{typename}.{f.attr} is {f.kind}")
