"""Settings read from the environment (SANDAN_* and DATABASE_URL)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SQLITE_PATH = Path("var") / "sandan.sqlite3"
DEFAULT_TOKEN_KEY_FILE = str(Path("var") / "token.key")


def normalise_database_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://) and pick the async drivers."""
    for prefix in (
        "postgres://",
        "postgresql://",
        "postgresql+psycopg2://",
        "postgresql+psycopg://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    return url


# Settings read as SANDAN_<NAME> (upper case) with their converter.
LIMIT_SETTINGS: dict[str, type[int] | type[float] | type[str]] = {
    "env": str,
    "public_query_budget": int,
    "staff_query_budget": int,
    "max_response_bytes": int,
    "request_timeout": float,
    "max_body_bytes": int,
    "max_token_length": int,
    "max_query_length": int,
    "document_cache_bytes": int,
    "public_rate": float,
    "public_burst": int,
    "staff_rate": float,
    "staff_burst": int,
    "claim_hold_hours": float,
    "partner_claim_cap": int,
    "village_approval_funds": int,
    "comment_rate": float,
    "comment_burst": int,
}


@dataclass(frozen=True)
class Settings:
    database_url: str = field(
        default_factory=lambda: f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH.as_posix()}"
    )
    # Hard cap on a connection page; a client asking for more gets an error, not a huge page.
    max_page_size: int = 100
    default_page_size: int = 20
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5000
    echo_sql: bool = False
    # Kept-open PostgreSQL connections per worker. Concurrent requests each run a few loader
    # batches at once; a connection beyond the pool is opened and closed per use, and every
    # PostgreSQL connection is a forked backend, so an undersized pool costs more than memory.
    db_pool_size: int = 24
    # The compiled read path (sandan.schema.fastpath); off = every request through strawberry.
    planned_reads: bool = True
    # On PostgreSQL, planned roots that it can build whole are one statement returning JSON
    # (sandan.db.json_reads); off = those roots go through the loaders too.
    json_reads: bool = True
    # token -> cell code ("*" for the whole grid); see sandan.auth.
    staff_tokens: dict[str, str] = field(default_factory=dict)
    # The key API tokens are hashed with (sandan.tokens): SANDAN_TOKEN_KEY, or else a key file
    # made on first use. Changing it invalidates every token made from the database.
    token_key: str = field(default_factory=lambda: os.environ.get("SANDAN_TOKEN_KEY", ""))
    token_key_file: str = field(
        default_factory=lambda: os.environ.get("SANDAN_TOKEN_KEY_FILE", DEFAULT_TOKEN_KEY_FILE)
    )
    # "production" switches off introspection and "Did you mean ..." suggestions.
    env: str = "development"
    # Abuse limits (SECURITY.md has the reasoning and the measured figures).
    public_query_budget: int = 25_000  # query cost: objects a query may return (schema.cost)
    staff_query_budget: int = 250_000
    max_response_bytes: int = 32 * 1024 * 1024
    request_timeout: float = 30.0  # seconds; the work is cancelled beyond it
    max_body_bytes: int = 1024 * 1024
    max_token_length: int = 512
    max_query_length: int = 100_000  # characters of the query document
    document_cache_bytes: int = 32 * 1024 * 1024  # parsed documents and plans, each cache
    public_rate: float = 20.0  # requests per second per client address; 0 switches it off
    public_burst: int = 100
    staff_rate: float = 50.0  # requests per second per token
    staff_burst: int = 200
    # Optimisation runs (resolvers/runs): does the server take runs from the queue itself (on
    # SQLite it must: nothing else can), after how long without a heartbeat a run's worker
    # counts as dead, how often idle workers look at the queue, and solver threads per run.
    runs_in_server: bool = True
    run_lease_seconds: float = 30.0
    run_poll_seconds: float = 2.0
    run_solver_threads: int = 1
    # Partner claims (sandan.resolvers.claims): an unconfirmed claim frees its slot after this
    # many hours; a partner may hold at most this many unconfirmed claims at once.
    claim_hold_hours: float = 72.0
    partner_claim_cap: int = 10
    # Deeds drawing more FUNDS units than this need village-level approval (like major matters).
    village_approval_funds: int = 50_000
    # Residents' public comments on deeds, per client address: a burst, then one a minute.
    comment_rate: float = 1 / 60
    comment_burst: int = 5

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {}
        if env.get("DATABASE_URL"):
            values["database_url"] = normalise_database_url(env["DATABASE_URL"])
        if env.get("SANDAN_MAX_PAGE_SIZE"):
            values["max_page_size"] = int(env["SANDAN_MAX_PAGE_SIZE"])
        if env.get("SANDAN_ECHO_SQL"):
            values["echo_sql"] = env["SANDAN_ECHO_SQL"] not in ("", "0", "false")
        if env.get("SANDAN_STAFF_TOKENS"):
            values["staff_tokens"] = parse_staff_tokens(env["SANDAN_STAFF_TOKENS"])
        if env.get("SANDAN_PLANNED_READS"):
            values["planned_reads"] = env["SANDAN_PLANNED_READS"] not in ("0", "false")
        if env.get("SANDAN_JSON_READS"):
            values["json_reads"] = env["SANDAN_JSON_READS"] not in ("0", "false")
        if env.get("SANDAN_DB_POOL_SIZE"):
            values["db_pool_size"] = int(env["SANDAN_DB_POOL_SIZE"])
        for name, convert in LIMIT_SETTINGS.items():
            raw = env.get(f"SANDAN_{name.upper()}")
            if raw:
                values[name] = convert(raw)
        if env.get("SANDAN_RUNS_IN_SERVER"):
            values["runs_in_server"] = env["SANDAN_RUNS_IN_SERVER"] not in ("0", "false")
        for name in ("run_lease_seconds", "run_poll_seconds"):
            if env.get(f"SANDAN_{name.upper()}"):
                values[name] = float(env[f"SANDAN_{name.upper()}"])
        if env.get("SANDAN_RUN_SOLVER_THREADS"):
            values["run_solver_threads"] = int(env["SANDAN_RUN_SOLVER_THREADS"])
        if env.get("SANDAN_MAX_PAIRS"):  # the optimiser's (matching/budget.py): refused at start
            from sandan.matching.budget import max_pairs

            max_pairs()
        values.update(overrides)
        if isinstance(values.get("database_url"), str):
            values["database_url"] = normalise_database_url(str(values["database_url"]))
        return cls(**values)  # type: ignore[arg-type]

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def parse_staff_tokens(spec: str) -> dict[str, str]:
    """SANDAN_STAFF_TOKENS (`token=CELLCODE,other=*`): bootstrap token -> its scope's cell code."""
    tokens: dict[str, str] = {}
    for item in spec.split(","):
        token, sep, cell_code = item.strip().partition("=")
        if not item.strip():
            continue
        if not sep or not token or not cell_code:
            raise ValueError(f"SANDAN_STAFF_TOKENS entry {item!r} is not token=CELLCODE")
        if len(token) < 12:
            raise ValueError("staff tokens must be at least 12 characters long")
        tokens[token] = cell_code
    return tokens
