"""Calendar versions: one SEQUENCE per walk, one change counter per feed

Revision ID: c4a9e2f7d1b3
Revises: 7c3e9a1f4b20
Create Date: 2026-12-04 23:40:00

Backfill: every walk's SEQUENCE starts above anything a feed or an invite showed for it
before (the shift's own, plus one per booking made and cancelled, plus the cancelled-walk
bump, and the highest invite sent), and every possible feed owner gets a row changed "now",
so Last-Modified never goes back across the upgrade. The window's day is left to the first run
of the worker's job (calendars.tasks.move_feed_window), which reads the application's clock.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = 'c4a9e2f7d1b3'
down_revision: str | None = '7c3e9a1f4b20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'calendar_event_version',
        sa.Column('shift_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('changed', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['shift_id'], ['shift.id']),
        sa.PrimaryKeyConstraint('shift_id'),
    )
    op.create_table(
        'calendar_feed_version',
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('owner_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('changed', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'owner_id'),
    )
    connection = op.get_bind()
    now = datetime.now(UTC)
    stamp = int(now.timestamp())
    invites: dict[int, int] = {}
    keys = connection.execute(
        sa.text("SELECT dedupe_key FROM email_outbox WHERE dedupe_key LIKE 'ics:%'")
    )
    for (key,) in keys:
        parts = key.split(':')
        if len(parts) == 5 and parts[1].isdigit() and parts[3].isdigit():
            invites[int(parts[1])] = max(invites.get(int(parts[1]), 0), int(parts[3]))
    shifts = connection.execute(
        sa.text(
            "SELECT s.id, s.sequence, COUNT(b.id), "
            "SUM(CASE WHEN b.status = 'cancelled' THEN 1 ELSE 0 END) "
            "FROM shift s LEFT JOIN booking b ON b.shift_id = s.id GROUP BY s.id, s.sequence"
        )
    ).all()
    rows = [
        {
            'shift_id': shift_id,
            'sequence': max(
                (sequence or 0) + (made or 0) + (cancelled or 0) + 1,
                invites.get(shift_id, 0) + 1,
            ),
            'changed': stamp,
        }
        for shift_id, sequence, made, cancelled in shifts
    ]
    events = sa.table(
        'calendar_event_version', sa.column('shift_id'), sa.column('sequence'), sa.column('changed')
    )
    if rows:
        op.bulk_insert(events, rows)
    feeds = sa.table(
        'calendar_feed_version',
        sa.column('kind'),
        sa.column('owner_id'),
        sa.column('version'),
        sa.column('changed'),
    )
    owners = [('municipality', 'municipality'), ('area', 'patrolarea'),
              ('association', 'association'), ('person', 'user_account')]  # fmt: skip
    feed_rows = [
        {'kind': kind, 'owner_id': owner_id, 'version': 1, 'changed': stamp}
        for kind, table in owners
        for (owner_id,) in connection.execute(sa.text(f'SELECT id FROM {table}'))
    ]
    op.bulk_insert(feeds, feed_rows)


def downgrade() -> None:
    op.drop_table('calendar_feed_version')
    op.drop_table('calendar_event_version')
