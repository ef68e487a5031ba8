"""SMS that survive an outage: quiet-hours exemption per row, provider health

Revision ID: 7c3e9a1f4b20
Revises: 5e1f0c2a9b7d
Create Date: 2026-12-06 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '7c3e9a1f4b20'
down_revision: str | None = '5e1f0c2a9b7d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sms_provider_health',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('failing_since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_failure_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_success_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sms_outbox', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('ignores_quiet_hours', sa.Boolean(), nullable=False,
                      server_default=sa.false())
        )
    # Rows queued before this revision: verification codes were always sent at once.
    op.execute(
        sa.text("UPDATE sms_outbox SET ignores_quiet_hours = TRUE "
                "WHERE kind IN ('verification_code', 'number_changed')")
    )


def downgrade() -> None:
    with op.batch_alter_table('sms_outbox', schema=None) as batch_op:
        batch_op.drop_column('ignores_quiet_hours')
    op.drop_table('sms_provider_health')
