"""The checker shares no code with the solver: that independence is what lets it catch solver bugs.

Every module of ``sandan.matching.check`` imports only the standard library and its own package;
importing it loads no other ``sandan.matching`` module than the package's ``__init__``, which
Python runs first.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import sandan.matching.check

CHECK_DIR = Path(sandan.matching.check.__file__).resolve().parent
PACKAGE = "sandan.matching.check"


def _foreign_imports(source: str) -> set[str]:
    """Imports of a module of the check package that reach outside it (relative ones above it,
    absolute ones into the rest of sandan)."""
    foreign: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level > 1:
                foreign.add("." * node.level + (node.module or ""))
            names = [node.module] if node.level == 0 and node.module else []
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        foreign.update(
            name
            for name in names
            if name.split(".")[0] == "sandan"
            and name != PACKAGE
            and not name.startswith(PACKAGE + ".")
        )
    return foreign


def test_no_module_of_the_checker_imports_the_rest_of_sandan() -> None:
    files = sorted(CHECK_DIR.rglob("*.py"))
    assert len(files) > 1
    offenders = {
        p.name: sorted(found)
        for p in files
        if (found := _foreign_imports(p.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_scan_would_catch_an_import_of_the_solver() -> None:
    sample = (
        "from ..solver import solve\n"
        "import sandan.matching.tree\n"
        "from sandan.matching.eligibility import generate\n"
        "from .report import Rule\n"
        "from sandan.matching.check.model import Need\n"
        "import json\n"
    )
    assert _foreign_imports(sample) == {
        "..solver",
        "sandan.matching.tree",
        "sandan.matching.eligibility",
    }


PROBE = """
import json, sys
import sandan.matching
before = set(sys.modules)
import sandan.matching.check
print(json.dumps(sorted(m for m in set(sys.modules) - before if m.startswith("sandan"))))
"""


def test_importing_the_checker_loads_only_its_own_modules() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert PACKAGE in loaded
    assert [m for m in loaded if not m.startswith(PACKAGE)] == []
