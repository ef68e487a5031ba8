"""Membership periods: coverage and enrolments end instead of being deleted

An agreement's municipalities and enrolled associations become periods with their own id,
so that taking a municipality off or withdrawing an association keeps the evenings before
(runs count earnings from the agreement's start: a deleted row took paid money back).
Every existing row becomes an open period with its dates as they were. An association that
approved payouts paid before it was withdrawn (its row deleted, or replaced by one from the
day it was enrolled again) gets a period back over the evenings those payouts settled, so
that the first payout after the upgrade does not take that money back. Agreements get a
revision, and runs the revision they were computed at.

Revision ID: e5c1a7d3b9f2
Revises: b3e8f1c2d4a6
Create Date: 2026-12-05 17:30:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'e5c1a7d3b9f2'
down_revision: str | None = 'b3e8f1c2d4a6'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _replace(name: str, columns: list[sa.Column], copied: str, copy_from: str) -> None:
    """Create ``name`` anew with ``columns``, copy the old rows and drop the old table."""
    new = f'{name}_new'
    op.create_table(new, *columns)
    op.execute(f'INSERT INTO {new} ({copied}) SELECT {copy_from} FROM {name}')  # noqa: S608
    op.drop_table(name)
    op.rename_table(new, name)
    if op.get_bind().dialect.name == 'postgresql':
        # The names a fresh database gives (a later migration may drop them by name).
        op.execute(f'ALTER INDEX {new}_pkey RENAME TO {name}_pkey')
        if any(c.name == 'id' for c in columns):
            op.execute(f'ALTER SEQUENCE {new}_id_seq RENAME TO {name}_id_seq')
        for constraint in columns:
            if isinstance(constraint, sa.ForeignKeyConstraint):
                column = constraint.column_keys[0]
                op.execute(
                    f'ALTER TABLE {name} RENAME CONSTRAINT {new}_{column}_fkey TO {name}_{column}_fkey'
                )


_RUNS = sa.table(
    'payout_run',
    sa.column('id', sa.Integer),
    sa.column('agreement_id', sa.Integer),
    sa.column('status', sa.String),
    sa.column('period_start', sa.Date),
    sa.column('period_end', sa.Date),
    sa.column('cutoff_at', sqlmodel.sql.sqltypes.UTCDateTime),
)
_AGREEMENTS = sa.table(
    'sponsor_agreement', sa.column('id', sa.Integer), sa.column('valid_from', sa.Date)
)
_LINES = sa.table('payout_line', sa.column('run_id', sa.Integer), sa.column('association_id', sa.Integer))
_ENROLMENTS = sa.table(
    'agreement_association',
    sa.column('id', sa.Integer),
    sa.column('agreement_id', sa.Integer),
    sa.column('association_id', sa.Integer),
    sa.column('joined_on', sa.Date),
    sa.column('left_on', sa.Date),
    sa.column('created_at', sqlmodel.sql.sqltypes.UTCDateTime),
)


def _restore_settled_enrolments() -> None:
    """A payout run has lines only for associations enrolled when it was computed. So one
    that paid an association before its current enrolment row was made (or with no row
    left) paid it under an enrolment since deleted, whose dates are lost. Give it back a
    period from the agreement's first day to the day after the last evening those payouts
    settled: every evening they paid is in it, so the next payout deducts nothing (it may
    pay walks from before the lost enrolment date, or between two lost enrolments)."""
    bind = op.get_bind()
    local = ZoneInfo('Europe/Stockholm')
    paid = bind.execute(
        sa.select(
            _RUNS.c.agreement_id, _AGREEMENTS.c.valid_from, _LINES.c.association_id,
            _RUNS.c.period_end, _RUNS.c.cutoff_at,
        )
        .join(_LINES, _LINES.c.run_id == _RUNS.c.id)
        .join(_AGREEMENTS, _AGREEMENTS.c.id == _RUNS.c.agreement_id)
        .where(_RUNS.c.status.in_(('approved', 'paid')))
        .distinct()
    ).all()
    settled: dict[tuple[int, int, object], list] = {}
    for agreement_id, valid_from, association_id, end, cutoff in paid:
        settled.setdefault((agreement_id, association_id, valid_from), []).append((end, cutoff))
    for (agreement_id, association_id, valid_from), runs in sorted(settled.items()):
        current = bind.execute(
            sa.select(_ENROLMENTS.c.joined_on, _ENROLMENTS.c.created_at).where(
                _ENROLMENTS.c.agreement_id == agreement_id,
                _ENROLMENTS.c.association_id == association_id,
            )
        ).first()
        before = [r for r in runs if current is None or r[1] < current.created_at]
        if not before:
            continue
        until = max(min(end, cutoff.astimezone(local).date()) for end, cutoff in before)
        until += timedelta(days=1)
        if current is not None:
            until = min(until, current.joined_on)
        if until > valid_from:
            bind.execute(
                _ENROLMENTS.insert().values(
                    agreement_id=agreement_id, association_id=association_id,
                    joined_on=valid_from, left_on=until, created_at=datetime.now(UTC),
                )
            )


def upgrade() -> None:
    _replace(
        'agreement_municipality',
        [
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('agreement_id', sa.Integer(), nullable=False),
            sa.Column('municipality_id', sa.Integer(), nullable=False),
            sa.Column('covered_from', sa.Date(), nullable=True),
            sa.Column('covered_until', sa.Date(), nullable=True),
            sa.ForeignKeyConstraint(['agreement_id'], ['sponsor_agreement.id'], ondelete='CASCADE'),
            sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], ),
            sa.PrimaryKeyConstraint('id'),
        ],
        'agreement_id, municipality_id',
        'agreement_id, municipality_id',
    )
    with op.batch_alter_table('agreement_municipality', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_municipality_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_municipality_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index('uq_agreement_municipality_open', ['agreement_id', 'municipality_id'], unique=True, sqlite_where=sa.text('covered_until IS NULL'), postgresql_where=sa.text('covered_until IS NULL'))

    _replace(
        'agreement_association',
        [
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('agreement_id', sa.Integer(), nullable=False),
            sa.Column('association_id', sa.Integer(), nullable=False),
            sa.Column('joined_on', sa.Date(), nullable=False),
            sa.Column('left_on', sa.Date(), nullable=True),
            sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.ForeignKeyConstraint(['agreement_id'], ['sponsor_agreement.id'], ondelete='CASCADE'),
            sa.ForeignKeyConstraint(['association_id'], ['association.id'], ),
            sa.PrimaryKeyConstraint('id'),
        ],
        'agreement_id, association_id, joined_on, created_at',
        'agreement_id, association_id, joined_on, created_at',
    )
    with op.batch_alter_table('agreement_association', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_association_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_association_association_id'), ['association_id'], unique=False)
        batch_op.create_index('uq_agreement_association_open', ['agreement_id', 'association_id'], unique=True, sqlite_where=sa.text('left_on IS NULL'), postgresql_where=sa.text('left_on IS NULL'))
    _restore_settled_enrolments()
    with op.batch_alter_table('sponsor_agreement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('payout_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agreement_revision', sa.Integer(), nullable=False, server_default='0'))
    # A draft whose agreement changed after it was computed was refused approval before
    # (by the timestamps): it stays refused until it is computed again.
    op.execute(
        "UPDATE payout_run SET agreement_revision = -1 WHERE status = 'draft' AND cutoff_at < "
        "(SELECT updated_at FROM sponsor_agreement WHERE sponsor_agreement.id = payout_run.agreement_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table('payout_run', schema=None) as batch_op:
        batch_op.drop_column('agreement_revision')
    with op.batch_alter_table('sponsor_agreement', schema=None) as batch_op:
        batch_op.drop_column('revision')
    # Ended periods have no place in the old tables: only the open ones are kept (so the
    # old code takes money paid for them back again, as it did).
    op.execute('DELETE FROM agreement_association WHERE left_on IS NOT NULL')
    op.execute('DELETE FROM agreement_municipality WHERE covered_until IS NOT NULL')
    _replace(
        'agreement_association',
        [
            sa.Column('agreement_id', sa.Integer(), nullable=False),
            sa.Column('association_id', sa.Integer(), nullable=False),
            sa.Column('joined_on', sa.Date(), nullable=False),
            sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.ForeignKeyConstraint(['agreement_id'], ['sponsor_agreement.id'], ondelete='CASCADE'),
            sa.ForeignKeyConstraint(['association_id'], ['association.id'], ),
            sa.PrimaryKeyConstraint('agreement_id', 'association_id'),
        ],
        'agreement_id, association_id, joined_on, created_at',
        'agreement_id, association_id, joined_on, created_at',
    )
    with op.batch_alter_table('agreement_association', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_association_association_id'), ['association_id'], unique=False)
    _replace(
        'agreement_municipality',
        [
            sa.Column('agreement_id', sa.Integer(), nullable=False),
            sa.Column('municipality_id', sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(['agreement_id'], ['sponsor_agreement.id'], ondelete='CASCADE'),
            sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], ),
            sa.PrimaryKeyConstraint('agreement_id', 'municipality_id'),
        ],
        'agreement_id, municipality_id',
        'agreement_id, municipality_id',
    )
    with op.batch_alter_table('agreement_municipality', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_municipality_municipality_id'), ['municipality_id'], unique=False)
