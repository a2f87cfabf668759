"""What reads run on: a session, or (for loaders and pages) a plain autocommit connection.

Reads need no transaction. On an AUTOCOMMIT connection a loader batch is one round trip to the
database instead of BEGIN, the query, ROLLBACK and the pool's reset.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import TypeAlias

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

Reader: TypeAlias = AsyncSession | AsyncConnection


def read_only(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, with connections that run each statement on its own."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def connect(read_engine: AsyncEngine) -> AbstractAsyncContextManager[AsyncConnection]:
    return read_engine.connect()
