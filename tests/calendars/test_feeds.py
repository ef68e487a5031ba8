"""Feed machinery read straight from the database (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import select

from nattvandring.calendars.feeds import greatest, instant
from nattvandring.planning.models import Shift
from tests.calendars.conftest import make_shift


def test_instant_reads_what_the_column_type_reads(db, world):  # type: ignore[no-untyped-def]
    shift = make_shift(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        day=date(2027, 3, 27),
        start=time(22),
        end=time(3),
    )
    shift.updated_at = datetime(2026, 12, 2, 16, 23, 12, 166945, tzinfo=UTC)
    db.commit()
    statement = select(
        Shift.start_at.label("typed"),
        instant(Shift.start_at).label("start"),
        instant(Shift.updated_at).label("updated"),
        instant(Shift.cancelled_at).label("cancelled"),
        instant(greatest(Shift.start_at, Shift.updated_at, Shift.cancelled_at)).label("latest"),
    ).where(Shift.id == shift.id)

    typed, start, updated, cancelled, latest = db.exec(statement).one()

    assert start == typed and start.utcoffset().total_seconds() == 0
    assert start == datetime(2027, 3, 27, 21, 0, tzinfo=UTC)  # 22:00 in Stockholm (CET)
    assert updated == datetime(2026, 12, 2, 16, 23, 12, 166945, tzinfo=UTC)
    assert cancelled is None
    assert latest == start  # NULLs ignored, the latest instant wins
