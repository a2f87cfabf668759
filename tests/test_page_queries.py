"""Connection roots in two steps: the page query (`resolvers.pages`) the JSON path calls
directly, and the page read. The table the JSON path calls must fit the Query's fields, and
`db/` must stay free of the words of Relay pages."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from sandan.resolvers.pages import PAGE_ROWS
from sandan.schema.build import build_schema
from sandan.schema.fastpath.pages import PAGE_ROOTS

DB = Path(__file__).resolve().parent.parent / "db"


def test_every_page_query_takes_its_roots_arguments_by_name() -> None:
    # The JSON path passes the root's converted arguments as keywords: a builder missing one,
    # or naming one differently, would fail only on PostgreSQL and only for that argument.
    query_type = build_schema()._schema.query_type
    assert query_type is not None
    for name, builder in PAGE_ROWS.items():
        field = query_type.fields[name].extensions["strawberry-definition"]
        arguments = {a.python_name for a in field.arguments}
        parameters = set(inspect.signature(builder).parameters) - {"ctx"} | {"first", "after"}
        assert parameters == arguments, name


def test_every_connection_root_has_a_page_query() -> None:
    query_type = build_schema()._schema.query_type
    assert query_type is not None
    connections = {n for n, f in query_type.fields.items() if str(f.type).endswith("Connection!")}
    assert connections == set(PAGE_ROWS)
    assert set(PAGE_ROOTS) <= set(PAGE_ROWS)


def test_db_knows_nothing_of_relay() -> None:
    relay = re.compile(
        r"\b(edges?|page_?info|start_?cursor|end_?cursor|has_?next_?page|after_cursor)\b",
        re.IGNORECASE,
    )
    for path in DB.rglob("*.py"):
        code = "\n".join(
            line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")
        )
        assert not relay.search(code), path
