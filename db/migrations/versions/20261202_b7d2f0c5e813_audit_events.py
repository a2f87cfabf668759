"""audit_events: the append-only audit trail, guarded by triggers

Revision ID: b7d2f0c5e813
Revises: a3c9e1d47b20
Create Date: 2026-12-02 05:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sandan.db import audit_guard

revision: str = "b7d2f0c5e813"
down_revision: str | None = "a3c9e1d47b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=True),
        sa.Column("operation", sa.String(length=200), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("households", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_operation"), ["operation"], unique=False)
    for statement in audit_guard.install(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in audit_guard.remove(op.get_bind().dialect.name):
        op.execute(statement)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_operation"))
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))
        batch_op.drop_index(batch_op.f("ix_audit_events_account_id"))
    op.drop_table("audit_events")
