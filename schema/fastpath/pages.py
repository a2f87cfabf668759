"""Connection roots answered by PostgreSQL in one statement: the Relay words of a page.

A root's page query comes from `resolvers.pages` (`page_query` over the root's `PAGE_ROWS`:
argument checks, filters, scopes, the same step the loader path takes); the selection of the
connection (totalCount, pageInfo, edges, nodes) is translated here into the generic parts of
`sandan.db.json_pages`, which knows nothing of Relay.
"""

from __future__ import annotations

from typing import Any

import orjson

from sandan.db import json_pages
from sandan.db.json_pages import PagePart, Part
from sandan.db.json_reads import Node, UnknownName
from sandan.resolvers.pages import PAGE_ROWS
from sandan.resolvers.paging import page_query
from sandan.schema.connections import CURSOR_PREFIX
from sandan.schema.context import Context
from sandan.schema.fastpath.plan import FieldPlan, NotCompilable, RootPlan
from sandan.schema.fastpath.sql import json_node

# Connection roots whose page PostgreSQL builds: root field -> table of its nodes.
PAGE_ROOTS = {
    "cells": "cells",
    "needs": "needs",
    "resources": "resources",
    "people": "people",
    "organisations": "organisations",
}
_PAGE_INFO = {
    "has_next_page": Part.MORE_AFTER,
    "has_previous_page": Part.MORE_BEFORE,
    "start_cursor": Part.FIRST_KEY,
    "end_cursor": Part.LAST_KEY,
}


def json_page(root: RootPlan) -> json_pages.PageJson | None:
    """The JSON part of a connection root's statement, or None to keep the loader path."""
    name = root.field_node.name.value
    source = PAGE_ROOTS.get(name)
    if source is None or name not in PAGE_ROWS or root.sub is None or root.list_depth:
        return None
    try:
        typename = root.sub.typename
        fields = tuple(_connection_field(source, f, typename) for f in root.sub.fields)
        return json_pages.compile_page(json_pages.Page(source, fields, CURSOR_PREFIX))
    except (NotCompilable, UnknownName):
        return None


async def answer_page(
    root: RootPlan, page: json_pages.PageJson, kwargs: dict[str, Any], context: Context
) -> Any:
    """The page built by PostgreSQL. The root's page query runs first: its argument checks,
    filters and scopes decide the rows; any error it raises goes to strawberry, which runs
    the same check again and reports it."""
    query = await page_query(context, PAGE_ROWS[root.field_node.name.value], **kwargs)
    viewer = context.viewer
    statement = json_pages.page_statement(
        page,
        query.rows,
        query.id_column,
        first=query.first,
        after=query.after,
        position=query.after_cursor,
        read=viewer.read,
        personal=viewer.personal,
    )
    return orjson.Fragment(await json_pages.fetch_page_json(context.read_engine, statement))


def _typename(f: FieldPlan, typename: str) -> PagePart:
    return PagePart(f.key, Part.CONSTANT, value=typename)


def _nodes_of(source: str, f: FieldPlan) -> Node:
    if f.sub is None:
        raise NotCompilable("a node without selection")
    node = json_node(f.sub)
    if node.source != source:
        raise NotCompilable(f"{f.sub.typename} is not a row of {source}")
    return node


def _connection_field(source: str, f: FieldPlan, typename: str) -> PagePart:
    if f.kind == "typename":
        return _typename(f, typename)
    if f.kind == "call" and f.attr == "count":
        return PagePart(f.key, Part.COUNT)
    if f.kind == "nested" and f.sub is not None:
        if f.attr == "page_info":
            page_info = f.sub
            fields = tuple(_page_info_field(g, page_info.typename) for g in page_info.fields)
            return PagePart(f.key, Part.OBJECT, fields=fields)
        if f.attr == "nodes":
            return PagePart(f.key, Part.ROWS, node=_nodes_of(source, f))
        if f.attr == "edges":
            edge = f.sub
            fields = tuple(_edge_field(source, g, edge.typename) for g in edge.fields)
            return PagePart(f.key, Part.ROWS, fields=fields)
    raise NotCompilable(f"connection field {f.attr}")


def _page_info_field(f: FieldPlan, typename: str) -> PagePart:
    if f.kind == "typename":
        return _typename(f, typename)
    if f.kind == "attr" and f.attr in _PAGE_INFO:
        return PagePart(f.key, _PAGE_INFO[f.attr])
    raise NotCompilable(f"page info field {f.attr}")


def _edge_field(source: str, f: FieldPlan, typename: str) -> PagePart:
    if f.kind == "typename":
        return _typename(f, typename)
    if f.kind == "attr" and f.attr == "cursor":
        return PagePart(f.key, Part.ROW_KEY)
    if f.kind == "nested" and f.attr == "node":
        return PagePart(f.key, Part.ROW, node=_nodes_of(source, f))
    raise NotCompilable(f"edge field {f.attr}")
