"""needs.public_text: the text staff write for publication

A need's description is free text from the household visit (personal data); what partners and
the public read is this separate field.

Revision ID: a3c9e1d47b20
Revises: 2976521fa180
Create Date: 2026-12-02 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a3c9e1d47b20"
down_revision: str | None = "2976521fa180"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_text", sa.String(length=2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.drop_column("public_text")
