"""Fixtures of the API tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.api.helpers import dispose_engines


@pytest.fixture(autouse=True)
async def _helper_engines() -> AsyncIterator[None]:
    """Closes the helpers' connections after each test (before its database may be dropped)."""
    yield
    await dispose_engines()
