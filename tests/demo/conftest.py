"""Generated data, generated once per session.

The databases come from tests/conftest.py: `engine` is a fresh, migrated, empty database per test,
parametrised over SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from sandan.demo import DemoData, generate


@pytest.fixture(scope="session")
def tiny_data() -> DemoData:
    return generate("tiny", 7)


@pytest.fixture(scope="session")
def town_data() -> DemoData:
    return generate("town", 2026)
