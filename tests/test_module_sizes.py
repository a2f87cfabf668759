"""No module of the server or the optimiser grows past about 400 lines: a longer one is split
by what it does (the way matching/check/ and resolvers/mutations/ are). Frozen migrations are
records, not modules to split, and vendored code is not ours."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 400


@pytest.mark.parametrize("folder", ["schema", "resolvers", "db", "matching", "sandan"])
def test_no_module_over_the_limit(folder: str) -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / folder).rglob("*.py")
        if not {"vendor", "versions"} & set(path.parts)
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert long == {}
    assert any((ROOT / folder).rglob("*.py"))  # the walk found the folder's modules
