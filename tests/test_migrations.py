"""The migrations build exactly the models' schema on both engines, and go down and up again."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

import sandan.db.models  # noqa: F401 - registers every table
from sandan.db.base import Base
from sandan.db.engine import create_nullpool_engine
from sandan.db.migrate import alembic_config, upgrade_to_head
from tests.databases import Databases


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


def _diff(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(
        conn,
        opts={"compare_type": True, "compare_server_default": False},
    )
    return list(compare_metadata(context, Base.metadata))


def _downgrade(conn: Connection) -> None:
    command.downgrade(alembic_config(conn), "base")


async def test_upgrade_matches_models_downgrade_and_upgrade_again(
    databases: Databases, backend: str
) -> None:
    url = await databases.blank(backend)
    engine = create_nullpool_engine(url)
    expected = set(Base.metadata.tables)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) == set()

        await upgrade_to_head(engine)
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) == expected | {"alembic_version"}
            diff = await conn.run_sync(_diff)
            assert diff == [], f"models and migrations differ: {diff}"
            version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
            assert version

        async with engine.begin() as conn:
            await conn.run_sync(_downgrade)
        async with engine.connect() as conn:
            left = await conn.run_sync(_tables) - {"alembic_version"}
            assert left == set(), f"downgrade to base left tables behind: {left}"

        # Up again, and idempotently (a second upgrade is a no-op).
        await upgrade_to_head(engine)
        await upgrade_to_head(engine)
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) == expected | {"alembic_version"}
            assert await conn.run_sync(_diff) == []
            again = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
            assert again == version

        # The comparison is not blind: a missing index is a difference.
        async with engine.begin() as conn:
            await conn.execute(text("DROP INDEX ix_needs_status_category"))
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) != []
    finally:
        await engine.dispose()
