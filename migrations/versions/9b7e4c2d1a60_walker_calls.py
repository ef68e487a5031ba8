"""Walker calls: "Vi behöver en till", a group asks its members by SMS for one more walker

Revision ID: 9b7e4c2d1a60
Revises: c3a9f1d27e54
Create Date: 2026-12-05 02:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '9b7e4c2d1a60'
down_revision: str | None = 'c3a9f1d27e54'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('walker_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('needed', sa.Integer(), nullable=False),
    sa.Column('joined', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('open_key', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('filled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('walker_call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_walker_call_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index('uq_walker_call_open', ['booking_id', 'open_key'], unique=True)

    op.create_table('walker_call_invite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['walker_call.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('call_id', 'user_id', name='uq_walker_call_invite')
    )
    with op.batch_alter_table('walker_call_invite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_walker_call_invite_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('walker_call_invite', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_walker_call_invite_user_id'))
    op.drop_table('walker_call_invite')
    with op.batch_alter_table('walker_call', schema=None) as batch_op:
        batch_op.drop_index('uq_walker_call_open')
        batch_op.drop_index(batch_op.f('ix_walker_call_booking_id'))
    op.drop_table('walker_call')
