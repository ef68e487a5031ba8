"""Versioned agreement terms; payout lines with cuts and explanation data

Every agreement gets its current terms as the first version, in force from the agreement's
start. Approved and paid runs are left exactly as they are: the agreement's
``settled_through`` records the last day they settled, and runs computed from now on count
earnings from the day after (docs/sponsorship.md, "Versioned terms").

Revision ID: c3a9f1d27e54
Revises: f565eb128b80
Create Date: 2026-12-04 23:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'c3a9f1d27e54'
down_revision: str | None = 'f565eb128b80'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agreement_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('rule', sa.JSON(), nullable=False),
    sa.Column('budget_ore', sa.Integer(), nullable=True),
    sa.Column('cap_per_association_year_ore', sa.Integer(), nullable=True),
    sa.Column('allocation', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['sponsor_agreement.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('agreement_id', 'valid_from', name='uq_agreement_terms_from')
    )
    with op.batch_alter_table('agreement_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_terms_agreement_id'), ['agreement_id'], unique=False)

    with op.batch_alter_table('payout_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cut_by_cap_ore', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('cut_by_budget_ore', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))

    with op.batch_alter_table('sponsor_agreement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settled_through', sa.Date(), nullable=True))

    # Data: the current terms become each agreement's first version, and approved runs
    # mark what is settled. Lines of approved runs are not touched.
    bind = op.get_bind()
    bind.execute(sa.text(
        "INSERT INTO agreement_terms (agreement_id, valid_from, rule, budget_ore,"
        " cap_per_association_year_ore, allocation, created_at)"
        " SELECT id, valid_from, rule, budget_ore, cap_per_association_year_ore,"
        " 'by_date', created_at FROM sponsor_agreement"
    ))
    bind.execute(sa.text(
        "UPDATE sponsor_agreement SET settled_through = ("
        " SELECT MAX(payout_run.period_end) FROM payout_run"
        " WHERE payout_run.agreement_id = sponsor_agreement.id"
        " AND payout_run.status IN ('approved', 'paid'))"
    ))


def downgrade() -> None:
    with op.batch_alter_table('sponsor_agreement', schema=None) as batch_op:
        batch_op.drop_column('settled_through')

    with op.batch_alter_table('payout_line', schema=None) as batch_op:
        batch_op.drop_column('details')
        batch_op.drop_column('cut_by_budget_ore')
        batch_op.drop_column('cut_by_cap_ore')

    with op.batch_alter_table('agreement_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_terms_agreement_id'))

    op.drop_table('agreement_terms')
