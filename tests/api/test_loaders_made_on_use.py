"""A request's loaders are made when first used, and each is made once: every resolver of a
request that asks for `cell_by_id` must get the same loader, or sibling fields would stop
sharing one batch (the statement counts in test_query_counts.py catch that on real queries)."""

from __future__ import annotations

from typing import Any

from sandan.resolvers.loader_base import LoaderDeps, made_on_use
from sandan.resolvers.loaders import Loaders
from sandan.schema.context import Viewer


def _loaders() -> Loaders:
    engine: Any = object()  # never touched: no batch runs in this test
    return Loaders(LoaderDeps(read_engine=engine, viewer=Viewer.public()))


def test_no_loader_is_made_until_a_field_asks_for_it() -> None:
    loaders = _loaders()
    declared = [name for name, v in vars(Loaders).items() if isinstance(v, made_on_use)]
    assert len(declared) > 30  # every loader of the request is declared this way
    assert not set(declared) & set(vars(loaders))


def test_each_loader_is_made_once_per_request_and_not_shared_across_requests() -> None:
    first, second = _loaders(), _loaders()
    assert first.cell_by_id is first.cell_by_id
    assert first.claims.task_by_id is first.claims.task_by_id
    assert first.cell_by_id is not second.cell_by_id
    assert first.cell_by_id.deps is first.deps
