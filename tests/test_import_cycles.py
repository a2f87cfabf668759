"""The server's packages import each other's modules in one-way chains, like sandan.matching
(tests/matching/test_import_cycles.py): no import cycle inside schema, resolvers, db or the
`sandan` package itself, not even through an import written inside a function. Imports under
`if TYPE_CHECKING:` never run (the strawberry.lazy types of sibling types) and are not counted.
"""

from __future__ import annotations

import pytest

from tests.import_graph import cycle, import_graph


@pytest.mark.parametrize("package", ["sandan", "sandan.schema", "sandan.resolvers", "sandan.db"])
def test_no_import_cycle_inside_a_package(package: str) -> None:
    graph = import_graph(package, type_only=False)
    assert cycle(graph) is None, " -> ".join(cycle(graph) or [])


def test_the_walk_sees_the_chains_and_would_see_a_cycle() -> None:
    # The connection roots (pages) build on the claims' and runs' steps, which build on the
    # shared paging parts; one import back from those parts would close a cycle.
    graph = import_graph("sandan.resolvers", type_only=False)
    assert "sandan.resolvers.claim_pages" in graph["sandan.resolvers.pages"]
    assert "sandan.resolvers.paging" in graph["sandan.resolvers.claim_pages"]
    assert cycle({**graph, "sandan.resolvers.paging": {"sandan.resolvers.pages"}}) is not None
