"""Real test databases: a migrated template per engine, cloned for every test that writes.

PostgreSQL clones with CREATE DATABASE ... TEMPLATE; SQLite copies the file. Nothing is mocked.
If PostgreSQL cannot be reached the tests that need it fail; they are never skipped.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from sandan.db.bulk import load
from sandan.db.engine import create_nullpool_engine
from sandan.db.migrate import upgrade_to_head
from sandan.demo.generate import generate

ADMIN_URL = os.environ.get("SANDAN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = [b for b in os.environ.get("SANDAN_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]
DEMO_SEED = 7
PREFIX = f"sandan_test_{os.getpid()}_"


def _pg_url(database: str) -> str:
    url = make_url(ADMIN_URL).set(drivername="postgresql+asyncpg", database=database)
    return url.render_as_string(hide_password=False)


async def _admin(*statements: str) -> None:
    """Run statements on one admin connection (CREATE/DROP DATABASE cannot run in a transaction)."""
    url = make_url(ADMIN_URL)
    try:
        conn = await asyncpg.connect(
            host=url.host,
            port=url.port or 5432,
            user=url.username,
            password=url.password,
            database=url.database or "postgres",
            timeout=10,
        )
    except (OSError, asyncpg.PostgresError) as e:
        raise RuntimeError(
            f"PostgreSQL at {url.host}:{url.port or 5432} cannot be reached ({e}); the suite "
            "runs on a real PostgreSQL: start it or set SANDAN_TEST_POSTGRES"
        ) from e
    try:
        for sql in statements:
            for attempt in range(20):
                try:
                    await conn.execute(sql)
                    break
                except asyncpg.ObjectInUseError:
                    # A template being cloned by another statement: wait for it.
                    await asyncio.sleep(0.1 * (attempt + 1))
            else:
                await conn.execute(sql)
    finally:
        await conn.close()


class Databases:
    """Creates and drops the databases of one test session."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.created_pg: list[str] = []
        self.templates: dict[tuple[str, bool], str] = {}

    async def template(self, backend: str, *, demo: bool) -> str:
        key = (backend, demo)
        if key not in self.templates:
            name = f"{PREFIX}tmpl_{'demo' if demo else 'empty'}"
            url = await self._create(backend, name, template=None)
            engine = create_nullpool_engine(url)
            try:
                await upgrade_to_head(engine)
                if demo:
                    await load(engine, generate("tiny", DEMO_SEED))
            finally:
                await engine.dispose()
            self.templates[key] = name
        return self.templates[key]

    async def clone(self, backend: str, *, demo: bool) -> str:
        template = await self.template(backend, demo=demo)
        return await self._create(backend, f"{PREFIX}{uuid.uuid4().hex[:10]}", template=template)

    async def blank(self, backend: str) -> str:
        """A database with nothing in it, not even migrations (for the migration tests)."""
        return await self._create(backend, f"{PREFIX}{uuid.uuid4().hex[:10]}", template=None)

    def url_of(self, backend: str, name: str) -> str:
        if backend == "sqlite":
            return f"sqlite+aiosqlite:///{(self.root / (name + '.sqlite3')).as_posix()}"
        return _pg_url(name)

    async def _create(self, backend: str, name: str, *, template: str | None) -> str:
        if backend == "sqlite":
            path = self.root / f"{name}.sqlite3"
            if template is not None:
                shutil.copyfile(self.root / f"{template}.sqlite3", path)
            return self.url_of(backend, name)
        if backend != "postgresql":
            raise ValueError(f"unknown test backend {backend!r}")
        clause = f' TEMPLATE "{template}"' if template else ""
        await _admin(f'CREATE DATABASE "{name}"{clause}')
        self.created_pg.append(name)
        return self.url_of(backend, name)

    async def drop_all(self) -> None:
        if self.created_pg:
            await _admin(
                *(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in reversed(self.created_pg))
            )
        self.created_pg.clear()
