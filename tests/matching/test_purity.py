"""The optimiser stays free of the web and database stacks, so it runs anywhere (CLI, workers).

Importing every module of sandan.matching in a fresh interpreter loads no strawberry, starlette or
sqlalchemy; and no module under matching/ even mentions them in an import statement.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import sandan.matching

FORBIDDEN = ("strawberry", "starlette", "sqlalchemy")
MATCHING_DIR = Path(sandan.matching.__file__).resolve().parent

PROBE = """
import importlib, json, pkgutil, sys
import sandan.matching as pkg
names = ["sandan.matching"]
for info in pkgutil.walk_packages(pkg.__path__, "sandan.matching."):
    names.append(info.name)
failed = {}
for name in names:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed[name] = repr(exc)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in %r)
print(json.dumps({"modules": names, "failed": failed, "loaded": loaded}))
"""


def _module_files() -> list[Path]:
    return sorted(MATCHING_DIR.rglob("*.py"))


def _module_name(path: Path) -> str:
    """sandan.matching.x.y for matching/x/y.py, sandan.matching.x for matching/x/__init__.py."""
    parts = path.relative_to(MATCHING_DIR).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(("sandan.matching", *parts))


def test_matching_modules_exist() -> None:
    names = {_module_name(p) for p in _module_files()}
    assert {"sandan.matching", "sandan.matching.check", "sandan.matching.cli"} <= names


def test_importing_every_module_loads_no_web_or_database_stack() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE % (FORBIDDEN,)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert {_module_name(p) for p in _module_files()} <= set(report["modules"])
    assert report["failed"] == {}
    assert report["loaded"] == []


def _imported_roots(tree: ast.AST) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call):
            # importlib.import_module("x") / __import__("x") with a literal name
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    roots.add(arg.value.split(".")[0])
    return roots


def test_static_scan_finds_no_forbidden_imports() -> None:
    offenders = {}
    for path in _module_files():
        roots = _imported_roots(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        bad = roots & set(FORBIDDEN)
        if bad:
            offenders[_module_name(path)] = sorted(bad)
    assert offenders == {}


def test_static_scan_would_catch_a_forbidden_import() -> None:
    """The scanner itself works (so the test above can fail)."""
    sample = "import os\nfrom sqlalchemy.orm import Session\nimport strawberry.types as t\n"
    assert _imported_roots(ast.parse(sample)) >= {"sqlalchemy", "strawberry"}
