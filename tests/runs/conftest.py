"""Fixtures of the runs tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.api.helpers import dispose_engines


@pytest.fixture(autouse=True)
async def _helper_engines() -> AsyncIterator[None]:
    yield
    await dispose_engines()
