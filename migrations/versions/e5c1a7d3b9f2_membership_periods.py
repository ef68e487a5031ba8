"""Membership periods: coverage and enrolments end instead of being deleted

An agreement's municipalities and enrolled associations become periods with their own id,
so that taking a municipality off or withdrawing an association keeps the evenings before
(runs count earnings from the agreement's start: a deleted row took paid money back).
Every existing row becomes an open period with its dates as they were.

Revision ID: e5c1a7d3b9f2
Revises: b3e8f1c2d4a6
Create Date: 2026-12-05 17:30:00
"""

from collections.abc import Sequence

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
        op.execute(f'ALTER INDEX {new}_pkey RENAME TO {name}_pkey')
        if any(c.name == 'id' for c in columns):
            op.execute(f'ALTER SEQUENCE {new}_id_seq RENAME TO {name}_id_seq')


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


def downgrade() -> None:
    # Ended periods have no place in the old tables: only the open ones are kept.
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
