"""Relations between rows, declared once for the loaders and the PostgreSQL JSON path.

A relation is "the rows of `source` whose `column` equals a key": the loader of the same name
(`resolvers.loaders`) reads it in batches through `one_by_relation`/`many_by_relation`, and
`sandan.db.json_reads` writes it as a correlated subquery; both apply the same filter and order,
so the two paths give the same answers by construction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select

from sandan.db.reader import Reader
from sandan.db.repositories import grid, members
from sandan.db.repositories.batch import K, Record, rows_by_key, rows_grouped_by_key
from sandan.db.scope import Scope


@dataclass(frozen=True)
class Relation:
    """Rows of `source` whose `column` equals a key; `many` relations give a list per key
    (only `active` rows when `active_only`, in `order_by` order), others at most one row."""

    source: str
    column: str
    many: bool
    active_only: bool = False
    order_by: tuple[str, ...] = ()


RELATIONS: dict[str, Relation] = {
    "cell_by_id": Relation("cells", "id", many=False),
    "cell_by_code": Relation("cells", "code", many=False),
    "children_by_cell_id": Relation("cells", "parent_id", many=True, order_by=("code",)),
    "person_by_id": Relation("people", "id", many=False),
    "people_by_cell_id": Relation(
        "people", "cell_id", many=True, active_only=True, order_by=("id",)
    ),
    "organisation_by_id": Relation("organisations", "id", many=False),
}

# The scoped select of each source's rows (with `cell_path` where personal fields need it).
_SELECTS: dict[str, Callable[[Scope], Select[Any]]] = {
    "cells": grid.cell_select,
    "people": members.person_select,
    "organisations": members.organisation_select,
}


# Built once per relation and scope and reused, as the list selects are (see
# `sandan.db.repositories.lists`): a reused select keeps SQLAlchemy's cache key of it.
@functools.lru_cache(maxsize=256)
def _select(relation: Relation, scope: Scope) -> tuple[Select[Any], Any]:
    stmt = _SELECTS[relation.source](scope)
    columns = stmt.selected_columns
    if relation.active_only:
        stmt = stmt.where(columns["active"].is_(True))
    return stmt, columns[relation.column]


async def one_by_relation(
    session: Reader, relation: Relation, keys: Sequence[K], scope: Scope
) -> dict[K, Record]:
    stmt, key = _select(relation, scope)
    return await rows_by_key(session, stmt, key, keys)


async def many_by_relation(
    session: Reader, relation: Relation, keys: Sequence[K], scope: Scope
) -> dict[K, list[Record]]:
    stmt, key = _select(relation, scope)
    order = [stmt.selected_columns[c] for c in relation.order_by]
    return await rows_grouped_by_key(session, stmt, key, keys, *order)
