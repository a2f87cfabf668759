"""versions and idempotency keys

Needs, resources and deeds get a `version` that every update and close bumps (optimistic
concurrency); create mutations remember their idempotency keys.

Revision ID: 3c7a9e1d5b20
Revises: b7d2f0c5e813
Create Date: 2026-12-02 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '3c7a9e1d5b20'
down_revision: str | None = 'b7d2f0c5e813'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONED = ('needs', 'resources', 'deeds')


def upgrade() -> None:
    op.create_table(
        'idempotency_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner', sa.String(length=400), nullable=False),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('type_name', sa.String(length=40), nullable=False),
        sa.Column('input_digest', sa.String(length=64), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column(
            'created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
        sa.UniqueConstraint('owner', 'key', name='uq_idempotency_keys_owner_key'),
    )
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('version', sa.Integer(), server_default='1', nullable=False)
            )


def downgrade() -> None:
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
    op.drop_table('idempotency_keys')
