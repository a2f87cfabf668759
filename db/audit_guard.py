"""The database's own guard of the audit trail: triggers that refuse UPDATE and DELETE (and, on
PostgreSQL, TRUNCATE) of `audit_events`, so no bug or injected statement of the API can rewrite
the record. The migration installs them; `sandan audit prune` lifts them for its one DELETE
inside its own transaction (PostgreSQL: DISABLE TRIGGER; SQLite: DROP and CREATE again), so a
failed prune leaves them in place.
"""

from __future__ import annotations

REFUSAL = "audit events are append-only"

POSTGRESQL_INSTALL = (
    f"""
    CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$
    """,
    "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
)
POSTGRESQL_REMOVE = (
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    "DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events",
    "DROP FUNCTION IF EXISTS audit_events_append_only()",
)
POSTGRESQL_LIFT = ("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change",)
POSTGRESQL_RESTORE = ("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change",)

SQLITE_INSTALL = tuple(
    f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    for verb in ("UPDATE", "DELETE")
)
SQLITE_REMOVE = tuple(
    f"DROP TRIGGER IF EXISTS audit_events_no_{verb}" for verb in ("update", "delete")
)
SQLITE_LIFT = ("DROP TRIGGER audit_events_no_delete",)
SQLITE_RESTORE = (SQLITE_INSTALL[1],)


def install(dialect: str) -> tuple[str, ...]:
    return POSTGRESQL_INSTALL if dialect == "postgresql" else SQLITE_INSTALL


def remove(dialect: str) -> tuple[str, ...]:
    return POSTGRESQL_REMOVE if dialect == "postgresql" else SQLITE_REMOVE


def lift(dialect: str) -> tuple[str, ...]:
    """Statements that let the prune's DELETE through, until `restore` (same transaction)."""
    return POSTGRESQL_LIFT if dialect == "postgresql" else SQLITE_LIFT


def restore(dialect: str) -> tuple[str, ...]:
    return POSTGRESQL_RESTORE if dialect == "postgresql" else SQLITE_RESTORE
