"""The `sandan` command line: serve, migrate, demo, schema, and the optimiser's commands."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from collections.abc import Sequence

from sandan.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "database_url", None):
        overrides["database_url"] = args.database_url
    return Settings.from_env(**overrides)


async def _migrate(settings: Settings) -> None:
    from sandan.db.engine import create_nullpool_engine
    from sandan.db.migrate import upgrade_to_head

    engine = create_nullpool_engine(settings.database_url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()


async def _load_demo(settings: Settings, scale: str, seed: int, *, if_empty: bool) -> str:
    from sandan.db.bulk import is_empty, load
    from sandan.db.engine import create_nullpool_engine
    from sandan.demo.generate import generate

    engine = create_nullpool_engine(settings.database_url)
    try:
        if not await is_empty(engine):
            if if_empty:
                return "the database already holds data; demo data not loaded again"
            raise SystemExit("error: the database is not empty; demo data goes into an empty one")
        counts = await load(engine, generate(scale, seed))
    finally:
        await engine.dispose()
    return "loaded demo data: " + ", ".join(f"{n} {table}" for table, n in counts.items())


def cmd_migrate(args: argparse.Namespace) -> int:
    asyncio.run(_migrate(_settings(args)))
    print("database is at the newest schema", file=sys.stderr)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    settings = _settings(args)
    asyncio.run(_migrate(settings))
    print(asyncio.run(_load_demo(settings, args.scale, args.seed, if_empty=False)), file=sys.stderr)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from sandan.schema.build import build_schema

    sys.stdout.write(build_schema().as_str() + "\n")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    settings = _settings(args)
    asyncio.run(_migrate(settings))
    if args.demo:
        print(asyncio.run(_load_demo(settings, "town", 1, if_empty=True)), file=sys.stderr)
        if not settings.staff_tokens:
            # A demo is no reason to show personal data to anyone: a token is made per start.
            token = secrets.token_urlsafe(18)
            os.environ["SANDAN_STAFF_TOKENS"] = f"{token}=*"
            print(f"demo staff token (whole grid): Authorization: Bearer {token}", file=sys.stderr)
        from sandan.accounts_cli import demo_tokens

        print("demo tokens, one per role (scope in the demo town):", file=sys.stderr)
        for line in asyncio.run(demo_tokens(settings)):
            print(line, file=sys.stderr)
        from sandan.demo.partner_tasks import open_demo_tasks

        print(asyncio.run(open_demo_tasks(settings)), file=sys.stderr)
    os.environ["DATABASE_URL"] = settings.database_url
    print(f"sandan: GraphQL at http://{args.host}:{args.port}/graphql", file=sys.stderr)
    uvicorn.run(
        "sandan.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
        access_log=False,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sandan", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate the database and serve GraphQL")
    serve.add_argument("--demo", action="store_true", help="load the demo town into an empty DB")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--database-url", help="default: DATABASE_URL or the SQLite file")
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="bring the database to the newest schema")
    migrate.add_argument("--database-url")
    migrate.set_defaults(func=cmd_migrate)

    demo = sub.add_parser("demo", help="load demo data into an empty database")
    demo.add_argument("--scale", choices=["tiny", "town", "district"], default="town")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--database-url")
    demo.set_defaults(func=cmd_demo)

    schema = sub.add_parser("schema", help="print the GraphQL schema (SDL)")
    schema.set_defaults(func=cmd_schema)

    from sandan.audit_cli import register as register_audit

    register_audit(sub)

    try:
        from sandan.matching.cli import register
    except ImportError:  # the optimiser's commands are optional while it is being built
        pass
    else:
        register(sub)
    from sandan.accounts_cli import register as register_accounts

    register_accounts(sub)
    try:
        from sandan.instance_cli import register as register_instance
    except ImportError:
        pass
    else:
        register_instance(sub)
    from sandan.worker import register as register_worker

    register_worker(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


def run() -> None:
    """The `sandan` command: `main`, then exit (see sandan.matching.cli.exit_process)."""
    code = main()
    try:
        from sandan.matching.cli import exit_process
    except ImportError:
        raise SystemExit(code) from None
    exit_process(code)


if __name__ == "__main__":
    run()
