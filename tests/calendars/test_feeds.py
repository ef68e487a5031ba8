"""Feed machinery read straight from the database (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import bindparam, select

from nattvandring.calendars.feeds import _instant_from_sqlite, greatest, instant
from nattvandring.planning.models import Shift
from tests.support.shifts import make_shift

CHANGED = datetime(2026, 12, 2, 16, 23, 12, 166945, tzinfo=UTC)


@pytest.fixture
def shift(db, world):  # type: ignore[no-untyped-def]
    """The night before the spring DST change, last changed at ``CHANGED``."""
    night = make_shift(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        day=date(2027, 3, 27),
        start=time(22),
        end=time(3),
    )
    night.updated_at = CHANGED
    db.commit()
    return night


def test_instant_reads_what_the_column_type_reads(db, shift):  # type: ignore[no-untyped-def]
    statement = select(
        Shift.start_at.label("typed"),
        instant(Shift.start_at).label("start"),
        instant(Shift.updated_at).label("updated"),
        instant(Shift.cancelled_at).label("cancelled"),
        greatest(Shift.start_at, Shift.updated_at, Shift.cancelled_at).label("latest"),
    ).where(Shift.id == shift.id)

    typed, start, updated, cancelled, latest = db.exec(statement).one()

    assert start == typed and start.utcoffset().total_seconds() == 0
    assert start == datetime(2027, 3, 27, 21, 0, tzinfo=UTC)  # 22:00 in Stockholm (CET)
    assert updated == CHANGED
    assert cancelled is None
    assert latest == start  # NULLs ignored, the latest instant wins


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-02 16:23:12.166945",  # what the column type writes
        "2026-12-02 16:23:12",
        "2026-12-02T16:23:12",
        "2026-12-02 16:23:12+00:00",
        "2026-12-02T17:23:12+01:00",
        "2026-12-02T16:23:12Z",
    ],
)
def test_sqlite_text_reads_as_the_same_utc_instant(text):  # type: ignore[no-untyped-def]
    read = _instant_from_sqlite(text)

    assert read.tzinfo is not None and read.utcoffset().total_seconds() == 0
    assert read.replace(microsecond=0) == datetime(2026, 12, 2, 16, 23, 12, tzinfo=UTC)


def test_sqlite_date_alone_reads_as_utc_midnight():  # type: ignore[no-untyped-def]
    assert _instant_from_sqlite("2026-12-02") == datetime(2026, 12, 2, tzinfo=UTC)
    assert _instant_from_sqlite(None) is None


def test_instant_binds_like_the_column_type(db, shift):  # type: ignore[no-untyped-def]
    statement = select(Shift.id).where(instant(Shift.start_at) == bindparam("at"))

    assert db.exec(statement, params={"at": shift.start_at}).scalars().all() == [shift.id]
