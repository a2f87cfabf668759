"""Fixtures of the web tests."""

from __future__ import annotations

from tests.api.conftest import _helper_engines  # noqa: F401 - closes the SQL helpers' engines
