"""runs: the account that started a run (null for bootstrap tokens)

Revision ID: 4b1e2c7d9a60
Revises: e0091bda35bb
Create Date: 2026-12-03 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '4b1e2c7d9a60'
down_revision: str | None = 'e0091bda35bb'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('optimisation_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_by_account_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_optimisation_runs_started_by_account_id_accounts'),
            'accounts',
            ['started_by_account_id'],
            ['id'],
            ondelete='SET NULL',
        )


def downgrade() -> None:
    with op.batch_alter_table('optimisation_runs', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_optimisation_runs_started_by_account_id_accounts'), type_='foreignkey'
        )
        batch_op.drop_column('started_by_account_id')
