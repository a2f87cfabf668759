"""Modules of sandan.matching import each other in a one-way chain: no cycle, not even through
an import written inside a function (the usual way to hide one)."""

from __future__ import annotations

from tests.import_graph import cycle, import_graph

PACKAGE = "sandan.matching"


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_matching_has_no_import_cycle() -> None:
    graph = import_graph(PACKAGE)
    # The walk sees the chain the pipeline is built on (a broken walk would find nothing).
    assert f"{PACKAGE}.run" in graph[f"{PACKAGE}.lns"]
    assert f"{PACKAGE}.tree" in graph[f"{PACKAGE}.lp"]
    assert cycle(graph) is None, " -> ".join(cycle(graph) or [])
