"""`sandan worker`: take optimisation runs from the PostgreSQL queue until stopped.

    sandan worker [--database-url URL]

Any number of workers (on any machine that reaches the database) share the queue with the
servers; SIGTERM or Ctrl-C hands a run being solved back to the queue and exits. On SQLite the
server runs the queue itself, so this command refuses (exit 2).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys


async def serve(database_url: str) -> None:
    from sandan.db.engine import create_engine, create_sessionmaker
    from sandan.resolvers.runs.worker import RunWorker
    from sandan.runs_http import worker_config
    from sandan.settings import Settings

    settings = Settings.from_env(database_url=database_url)
    engine = create_engine(settings.database_url, pool_size=2)
    worker = RunWorker(engine, create_sessionmaker(engine), worker_config(settings))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, worker.stop.set)
    print(f"sandan worker {worker.name}: taking runs", file=sys.stderr, flush=True)
    try:
        await worker.serve()
    finally:
        await engine.dispose()


def cmd_worker(args: argparse.Namespace) -> int:
    from sandan.settings import Settings

    overrides: dict[str, object] = {}
    if args.database_url:
        overrides["database_url"] = args.database_url
    settings = Settings.from_env(**overrides)
    if settings.is_sqlite:
        print(
            "sandan worker: error: the runs queue of a SQLite database is run by the server "
            "itself; separate workers need PostgreSQL (set DATABASE_URL)",
            file=sys.stderr,
        )
        return 2
    asyncio.run(serve(settings.database_url))
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "worker",
        help="solve optimisation runs from the PostgreSQL queue",
        description="Take QUEUED optimisation runs and solve them until SIGTERM or Ctrl-C.",
    )
    p.add_argument("--database-url", help="default: DATABASE_URL")
    p.set_defaults(func=cmd_worker)
