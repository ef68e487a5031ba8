"""An equipment note per patrol area, shown to the walkers on their personal page

Revision ID: a7d2e4c9b1f3
Revises: 9b7e4c2d1a60
Create Date: 2026-12-05 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'a7d2e4c9b1f3'
down_revision: str | None = '9b7e4c2d1a60'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('patrolarea', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'equipment_note',
                sqlmodel.sql.sqltypes.AutoString(length=500),
                nullable=False,
                server_default='',
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('patrolarea', schema=None) as batch_op:
        batch_op.drop_column('equipment_note')
