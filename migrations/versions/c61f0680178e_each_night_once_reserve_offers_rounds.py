"""Each night once, reserve offers that hold, fair booking rounds (issue #20)

Revision ID: c61f0680178e
Revises: c4a9e2f7d1b3
Create Date: 2026-12-04 23:20:00

Before the unique index on a live shift's area and start can exist, the nights created more
than once (concurrent "Planera säsong" posts) must be resolved by a person: each copy may
carry its own booking and walking group. So the upgrade does not delete or merge anything: it
lists every duplicate night with its shifts and their active bookings and stops, leaving the
database as it was. Cancel the extra copies (Planera → pass → Ställ in) and run it again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "c61f0680178e"
down_revision: str | None = "c4a9e2f7d1b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = "status != 'cancelled'"


class DuplicateNights(RuntimeError):
    """Nights that exist more than once; a person has to choose which copy stays."""


def duplicate_report(connection: sa.engine.Connection) -> list[str]:
    """One line per duplicate night: area, start and each live shift with its bookings."""
    rows = connection.execute(
        sa.text(
            "SELECT s.area_id, s.start_at, s.id, "
            "(SELECT count(*) FROM booking b WHERE b.shift_id = s.id AND b.status = 'active') "
            "FROM shift s JOIN ("
            f"  SELECT area_id, start_at FROM shift WHERE {LIVE} "
            "  GROUP BY area_id, start_at HAVING count(*) > 1"
            ") d ON d.area_id = s.area_id AND d.start_at = s.start_at "
            f"WHERE s.{LIVE} ORDER BY s.area_id, s.start_at, s.id"
        )
    ).all()
    nights: dict[tuple[object, object], list[str]] = {}
    for area_id, start_at, shift_id, bookings in rows:
        nights.setdefault((area_id, start_at), []).append(
            f"pass {shift_id} ({bookings} aktiva bokningar)"
        )
    return [
        f"område {area_id}, start {start_at} (UTC): {', '.join(shifts)}"
        for (area_id, start_at), shifts in nights.items()
    ]


def upgrade() -> None:
    report = duplicate_report(op.get_bind())
    if report:
        raise DuplicateNights(
            f"{len(report)} kvällar finns mer än en gång; inget har ändrats. Ställ in de extra "
            "passen (behåll det som har bokningar) och kör uppgraderingen igen:\n"
            + "\n".join(report)
        )
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.create_index(
            "uq_shift_area_start_active",
            ["area_id", "start_at"],
            unique=True,
            sqlite_where=sa.text(LIVE),
            postgresql_where=sa.text(LIVE),
        )
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reserve_offer_hours", sa.Integer(), nullable=False, server_default="24")
        )
    with op.batch_alter_table("reserve_entry", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("offer_expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    _create_round_tables()


def _create_round_tables() -> None:

    op.create_table('booking_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('deadline', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('max_nights_per_association', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('seed', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('seed_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('drawn_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('drawn_order', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('booking_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_round_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('booking_round_shift',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['booking_round.id'], ),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'shift_id', name='uq_round_shift')
    )
    with op.batch_alter_table('booking_round_shift', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_round_shift_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_round_shift_shift_id'), ['shift_id'], unique=False)

    op.create_table('booking_round_wish',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['association_id'], ['association.id'], ),
    sa.ForeignKeyConstraint(['round_id'], ['booking_round.id'], ),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'association_id', 'rank', name='uq_round_wish_rank'),
    sa.UniqueConstraint('round_id', 'association_id', 'shift_id', name='uq_round_wish_shift')
    )
    with op.batch_alter_table('booking_round_wish', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_round_wish_round_id'), ['round_id'], unique=False)

    op.create_table('booking_round_pick',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('draft_round', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['association_id'], ['association.id'], ),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], ),
    sa.ForeignKeyConstraint(['round_id'], ['booking_round.id'], ),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'number', name='uq_round_pick_number')
    )
    with op.batch_alter_table('booking_round_pick', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_round_pick_round_id'), ['round_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('booking_round_pick', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_round_pick_round_id'))

    op.drop_table('booking_round_pick')
    with op.batch_alter_table('booking_round_wish', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_round_wish_round_id'))

    op.drop_table('booking_round_wish')
    with op.batch_alter_table('booking_round_shift', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_round_shift_shift_id'))
        batch_op.drop_index(batch_op.f('ix_booking_round_shift_round_id'))

    op.drop_table('booking_round_shift')
    with op.batch_alter_table('booking_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_round_municipality_id'))

    op.drop_table('booking_round')
    with op.batch_alter_table("reserve_entry", schema=None) as batch_op:
        batch_op.drop_column("offer_expires_at")
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.drop_column("reserve_offer_hours")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_index("uq_shift_area_start_active")
