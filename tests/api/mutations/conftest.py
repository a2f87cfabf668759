"""Fixtures of the mutation tests: a demo clone for cases that write, the shared one otherwise."""

from __future__ import annotations

import pytest

from tests.api.mutations.helpers import Demo, load_demo

# The shared read-only demo never changes, so its ids are read once per engine.
_SHARED: dict[str, Demo] = {}


@pytest.fixture
async def demo(demo_url: str) -> Demo:
    """The demo's ids on a fresh clone of this test's own (safe to change)."""
    return await load_demo(demo_url)


@pytest.fixture
async def shared_demo(read_only_demo_url: str) -> Demo:
    """The demo's ids on the database shared by every test that writes nothing."""
    if read_only_demo_url not in _SHARED:
        _SHARED[read_only_demo_url] = await load_demo(read_only_demo_url)
    return _SHARED[read_only_demo_url]
