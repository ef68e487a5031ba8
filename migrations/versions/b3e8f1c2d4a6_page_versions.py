"""Page versions: a change counter per municipality that keys cached page fragments

Revision ID: b3e8f1c2d4a6
Revises: d7b2e4a91c05
Create Date: 2026-12-05 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'b3e8f1c2d4a6'
down_revision: str | None = 'd7b2e4a91c05'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('page_version',
    sa.Column('scope', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('scope')
    )


def downgrade() -> None:
    op.drop_table('page_version')
