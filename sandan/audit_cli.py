"""`sandan audit prune --before DATE`: the only way audit records are deleted.

Records older than the retention period (SECURITY.md: three years) are removed in one
transaction that lifts the table's append-only triggers for that one DELETE and writes a record
of the prune itself (how many, before which day), so the trail shows that it was pruned.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from datetime import UTC, date, datetime

from sandan.settings import Settings


def _before(text: str) -> datetime:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a day (YYYY-MM-DD)") from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


async def prune(database_url: str, before: datetime) -> int:
    from sqlalchemy.ext.asyncio import AsyncSession

    from sandan.db.engine import create_nullpool_engine
    from sandan.db.repositories.audit import EventValues
    from sandan.db.repositories.audit import prune as prune_events

    engine = create_nullpool_engine(database_url)
    try:
        async with AsyncSession(engine) as session, session.begin():
            by = EventValues(None, None, "CLI", f"cli:{getpass.getuser()}"[:64], "audit prune")
            return await prune_events(session, before, by)
    finally:
        await engine.dispose()


def cmd_audit_prune(args: argparse.Namespace) -> int:
    overrides = {"database_url": args.database_url} if args.database_url else {}
    settings = Settings.from_env(**overrides)
    count = asyncio.run(prune(settings.database_url, args.before))
    print(f"deleted {count} audit records before {args.before.date()}", file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = subparsers.add_parser("audit", help="the audit trail (see SECURITY.md)")
    verbs = audit.add_subparsers(dest="audit_command", required=True)
    pruner = verbs.add_parser("prune", help="delete audit records older than a day (logged)")
    pruner.add_argument(
        "--before", required=True, type=_before, help="delete records before this day (UTC)"
    )
    pruner.add_argument("--database-url")
    pruner.set_defaults(func=cmd_audit_prune)
