"""`sandan instance`: export the optimiser instance of a cell and a period from the database.

    sandan instance --cell CODE [--from YYYY-MM-DD] [--to YYYY-MM-DD] [-o FILE]
                    [--database-url URL]

The period defaults to today .. today + 60 days (`--to` defaults to `--from` + 60 days). The
instance JSON goes to FILE or stdout; a one-line summary goes to stderr. Exit codes: 0 written,
1 the database cannot be read (unreachable, missing, not migrated) or FILE cannot be written,
2 bad input (unknown cell code, bad or reversed dates, malformed database URL).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

EXIT_OK = 0
EXIT_DATABASE = 1
EXIT_INPUT = 2
DEFAULT_DAYS = 60


class _Failure(Exception):
    """A failure the user can act on; the message is for them, the code is the exit status."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise _Failure(f"{option} {text!r} is not a date (YYYY-MM-DD)", EXIT_INPUT) from None


def period(start_text: str | None, end_text: str | None, today: date) -> tuple[date, date]:
    """The period from the options: today .. +60 days by default, `--to` after `--from`."""
    start = _day(start_text, "--from") or today
    end = _day(end_text, "--to") or start + timedelta(days=DEFAULT_DAYS)
    if start > end:
        raise _Failure(f"the period is reversed: --from {start} is after --to {end}", EXIT_INPUT)
    return start, end


def _check_sqlite_file(url: str) -> None:
    """Refuse a missing SQLite file: connecting would create an empty database as a side effect."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or not Path(database).is_file():
            raise _Failure(f"no SQLite database at {database or '(none)'}", EXIT_DATABASE)


async def _export(url: str, code: str, start: date, end: date) -> dict[str, Any]:
    from sqlalchemy.engine import make_url

    from sandan.db.engine import create_nullpool_engine, create_sessionmaker
    from sandan.resolvers.instance import export_instance

    engine = create_nullpool_engine(url)
    try:
        if make_url(url).get_backend_name() == "postgresql":
            # One snapshot for all the reads: needs, people and deeds seen at the same moment.
            engine = engine.execution_options(isolation_level="REPEATABLE READ")
        async with create_sessionmaker(engine)() as session, session.begin():
            return await export_instance(session, code, start, end)
    finally:
        await engine.dispose()


def _read(url: str, code: str, start: date, end: date) -> dict[str, Any]:
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from sandan.resolvers.instance import UnknownCell

    try:
        _check_sqlite_file(url)
        return asyncio.run(_export(url, code, start, end))
    except UnknownCell as e:
        raise _Failure(str(e), EXIT_INPUT) from None
    except ArgumentError as e:
        raise _Failure(f"bad database URL: {e}", EXIT_INPUT) from None
    except (SQLAlchemyError, OSError) as e:
        # The driver's first line says enough (refused, no such database, no such table).
        reason = str(getattr(e, "orig", None) or e).strip().splitlines()
        raise _Failure(
            f"cannot read the database: {reason[0] if reason else type(e).__name__}",
            EXIT_DATABASE,
        ) from None


def _write(text: bytes, output: str | None) -> None:
    if output is None or output == "-":
        sys.stdout.buffer.write(text)
        sys.stdout.flush()
        return
    target = Path(output)
    try:
        # Write beside the target and rename: a failed run never leaves half a file behind.
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(text)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as e:
        raise _Failure(f"cannot write {output}: {e.strerror or e}", EXIT_DATABASE) from None


def summary(instance: dict[str, Any]) -> str:
    start, end = instance["period"]
    counts = ", ".join(f"{len(instance[k])} {k}" for k in ("needs", "people", "resources", "cells"))
    return f"sandan instance: {instance['root']} {start}..{end}: {counts}"


def cmd_instance(args: argparse.Namespace) -> int:
    from sandan.settings import Settings

    try:
        start, end = period(args.date_from, args.date_to, date.today())
        overrides: dict[str, object] = {}
        if args.database_url:
            overrides["database_url"] = args.database_url
        url = Settings.from_env(**overrides).database_url
        instance = _read(url, args.cell, start, end)
        _write(orjson.dumps(instance, option=orjson.OPT_INDENT_2) + b"\n", args.output)
    except _Failure as e:
        print(f"sandan instance: error: {e}", file=sys.stderr)
        return e.code
    print(summary(instance), file=sys.stderr)
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `instance` to the `sandan` command's subparsers."""
    p = subparsers.add_parser(
        "instance",
        help="export the optimiser instance of a cell and a period (JSON)",
        description="Export the optimiser instance (matching contract version 1) of a cell's "
        "subtree and a period from the database.",
        epilog="exit codes: 0 written; 1 the database cannot be read or FILE cannot be written; "
        "2 unknown cell, bad date, reversed period or malformed database URL",
    )
    p.add_argument("--cell", required=True, metavar="CODE", help="root cell's code, e.g. NH-JJ-01")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="default: today")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="default: from + 60 days")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    p.add_argument("--database-url", help="default: DATABASE_URL or the SQLite file")
    p.set_defaults(func=cmd_instance)
