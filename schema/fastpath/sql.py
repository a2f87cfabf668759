"""Turning a planned selection into one PostgreSQL JSON statement (see `sandan.db.json_reads`).

Only types, fields and relations listed here are translated; a selection with anything else
keeps the loader path. The lists mirror the types' `from_row` (which column feeds which field,
which fields are personal) and their `via` metadata (which loader a nested field reads), and a
test compares the answers of both paths field by field for every listed field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sandan.db import json_reads
from sandan.schema.fastpath.plan import (
    FieldPlan,
    NotCompilable,
    RootPlan,
    SelectionPlan,
    iso_date,
)


@dataclass(frozen=True)
class TypeColumns:
    source: str
    # GraphQL field's python name -> column, for fields copied as they are.
    values: dict[str, str]
    # The same for personal fields: NULL unless the viewer's personal scope covers the row.
    personal: dict[str, str] = field(default_factory=dict)
    # Private key attributes used by `via` metadata -> column.
    keys: dict[str, str] = field(default_factory=dict)


TYPES: dict[str, TypeColumns] = {
    "Cell": TypeColumns(
        source="cells",
        values={"code": "code", "name": "name", "level": "level", "kind": "kind"},
        keys={"pk": "id", "parent_pk": "parent_id", "leader_pk": "leader_id"},
    ),
    "Person": TypeColumns(
        source="people",
        values={
            name: name
            for name in (
                "name",
                "kind",
                "role",
                "party_member",
                "skills",
                "categories",
                "hours",
                "max_deeds",
                "max_lead",
                "reach",
                "available_from",
                "available_to",
            )
        },
        personal={"phone": "phone"},
        keys={"pk": "id", "cell_pk": "cell_id", "organisation_pk": "organisation_id"},
    ),
    "Organisation": TypeColumns(
        source="organisations",
        values={
            name: name
            for name in ("name", "kind", "contact_name", "contact_phone", "description", "active")
        },
        keys={"pk": "id", "cell_pk": "cell_id"},
    ),
    "Need": TypeColumns(
        source="needs",
        values={
            name: name
            for name in (
                "title",
                "description",
                "category",
                "channel",
                "scale",
                "urgency",
                "status",
                "needs_lead",
                "volunteers",
                "hours",
                "skills",
                "window_from",
                "window_to",
                "reported_on",
                "close_reason",
            )
        },
        keys={"pk": "id", "cell_pk": "cell_id"},
    ),
    "Resource": TypeColumns(
        source="resources",
        values={
            name: name
            for name in (
                "title",
                "description",
                "kind",
                "categories",
                "capacity",
                "unit",
                "reach",
                "available_from",
                "available_to",
                "status",
            )
        },
        keys={
            "pk": "id",
            "cell_pk": "cell_id",
            "provider_organisation_pk": "provider_organisation_id",
            "provider_person_pk": "provider_person_id",
        },
    ),
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
        relation = json_reads.RELATIONS.get(loader)
        if mode != "one" or key_attr not in columns.keys or relation is None:
            raise NotCompilable(f"{typename}.{f.attr} reads {loader} by {key_attr}")
        # A missing single object is NULL in SQL; the loader path reports a required one.
        if relation.many != bool(f.list_depth) or (f.non_null and not relation.many):
            raise NotCompilable(f"{typename}.{f.attr}: nullability or list shape")
        return json_reads.Related(f.key, columns.keys[key_attr], loader, json_node(f.sub))
    raise NotCompilable(f"{typename}.{f.attr} is {f.kind}")
