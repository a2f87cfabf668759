"""Modules of sandan.matching import each other in a one-way chain: no cycle, not even through
an import written inside a function (the usual way to hide one)."""

from __future__ import annotations

import ast
from pathlib import Path

import sandan.matching

ROOT = Path(sandan.matching.__file__).resolve().parent
PACKAGE = "sandan.matching"


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([PACKAGE, *parts])


def _edges() -> dict[str, set[str]]:
    """Module -> the modules of the package it imports (anywhere in its body)."""
    files = {_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in files}
    for mod, path in files.items():
        here = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, base]) if base else ".".join(anchor)
                # `from . import x` imports the module x when there is one, else the package.
                targets = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in files]
                targets = targets or [base]
            for t in targets:
                while t and t not in files:  # `a.b.c` where only `a.b` is a module of ours
                    t = t.rpartition(".")[0]
                if t in files and t != mod:
                    graph[mod].add(t)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return [*stack[stack.index(n) :], n]
            if n not in state and (found := visit(n)):
                return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_matching_has_no_import_cycle() -> None:
    graph = _edges()
    # The walk sees the chain the pipeline is built on (a broken walk would find nothing).
    assert f"{PACKAGE}.run" in graph[f"{PACKAGE}.lns"]
    assert f"{PACKAGE}.tree" in graph[f"{PACKAGE}.lp"]
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])
