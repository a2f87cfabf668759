"""Packaging and model conventions that nothing else would catch until a deploy."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
from sqlalchemy.orm import RelationshipProperty

import sandan.db.models  # noqa: F401 - registers every model
from sandan.db.base import Base

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def _package_folders() -> dict[str, Path]:
    """Import name -> folder, for every folder with an __init__.py under the mapped roots."""
    found: dict[str, Path] = {}
    for name, folder in SETUPTOOLS["package-dir"].items():
        root = ROOT / folder
        for init in sorted(root.rglob("__init__.py")):
            if any(part in ("__pycache__", ".venv") for part in init.parts):
                continue
            rel = init.parent.relative_to(root)
            dotted = ".".join((name, *rel.parts))
            found[dotted] = init.parent
    return found


def test_package_dir_maps_the_product_folders() -> None:
    assert SETUPTOOLS["package-dir"] == {
        "sandan": "sandan",
        "sandan.schema": "schema",
        "sandan.resolvers": "resolvers",
        "sandan.matching": "matching",
        "sandan.db": "db",
    }


def test_every_package_folder_is_listed() -> None:
    listed = set(SETUPTOOLS["packages"])
    folders = _package_folders()
    missing = sorted(set(folders) - listed)
    assert not missing, (
        f"folders with an __init__.py missing from [tool.setuptools] packages: {missing} "
        "(an installed sandan would not contain them)"
    )
    stale = sorted(name for name in listed if name not in folders)
    assert not stale, f"packages listed in pyproject.toml without a folder: {stale}"


def test_migration_template_is_shipped() -> None:
    data = SETUPTOOLS["package-data"]["sandan.db.migrations"]
    for pattern in data:
        assert list((ROOT / "db" / "migrations").glob(pattern)), pattern


def test_relationships_never_load_implicitly() -> None:
    """Lazy loads would be hidden N+1 queries (and fail under asyncio): only lazy="raise"."""
    relationships = [
        (mapper.class_.__name__, prop.key, prop.lazy)
        for mapper in Base.registry.mappers
        for prop in mapper.iterate_properties
        if isinstance(prop, RelationshipProperty)
    ]
    bad = [r for r in relationships if r[2] != "raise"]
    assert not bad, f"relationships that may load lazily: {bad}"
    assert Base.registry.mappers, "no models registered"


def _python_files(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


SQL_BUILDERS = {"text", "select", "insert", "update", "delete", "func"}


@pytest.mark.parametrize("folder", ["schema", "resolvers"])
def test_api_layers_build_no_sql(folder: str) -> None:
    """Queries live in db/repositories; the API layers call them and never build SQL."""
    offenders = []
    for path in _python_files(folder):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
                names = {alias.name for alias in node.names} & SQL_BUILDERS
                if names:
                    offenders.append(f"{path.relative_to(ROOT)}: {sorted(names)}")
    assert not offenders, offenders
