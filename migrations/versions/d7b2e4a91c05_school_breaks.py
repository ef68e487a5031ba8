"""School breaks per municipality (sportlov, påsklov, höstlov by ISO week)

Revision ID: d7b2e4a91c05
Revises: a7d2e4c9b1f3
Create Date: 2026-12-05 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'd7b2e4a91c05'
down_revision: str | None = 'a7d2e4c9b1f3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('school_break',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('iso_week', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('municipality_id', 'kind', name='uq_school_break_kind')
    )
    with op.batch_alter_table('school_break', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_break_municipality_id'), ['municipality_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('school_break', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_school_break_municipality_id'))
    op.drop_table('school_break')
