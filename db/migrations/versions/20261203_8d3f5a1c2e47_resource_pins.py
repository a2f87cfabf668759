"""runs: resource pins (a resource and a quantity pinned to a need, beside person pins)

Revision ID: 8d3f5a1c2e47
Revises: 4b1e2c7d9a60
Create Date: 2026-12-03 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '8d3f5a1c2e47'
down_revision: str | None = '4b1e2c7d9a60'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('run_constraints', schema=None) as batch_op:
        batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('resource_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('quantity', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_run_constraints_resource_id_resources'), 'resources', ['resource_id'], ['id']
        )
        batch_op.create_index(batch_op.f('ix_run_constraints_resource_id'), ['resource_id'], unique=False)
        batch_op.create_check_constraint(
            'person_or_resource', '(person_id IS NULL) <> (resource_id IS NULL)'
        )
        batch_op.create_check_constraint(
            'resource_pin_quantity',
            "(resource_id IS NULL AND quantity IS NULL) OR (kind = 'PIN' AND quantity >= 1)",
        )


def downgrade() -> None:
    op.execute('DELETE FROM run_constraints WHERE resource_id IS NOT NULL')
    with op.batch_alter_table('run_constraints', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_run_constraints_resource_pin_quantity'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_run_constraints_person_or_resource'), type_='check')
        batch_op.drop_index(batch_op.f('ix_run_constraints_resource_id'))
        batch_op.drop_constraint(
            batch_op.f('fk_run_constraints_resource_id_resources'), type_='foreignkey'
        )
        batch_op.drop_column('quantity')
        batch_op.drop_column('resource_id')
        batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=False)
