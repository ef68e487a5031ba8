"""Demo bookings: ~60 % of shifts booked with groups of 3-5, idempotent, no-op without shifts."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlmodel import select

from nattvandring.booking import demo_data
from nattvandring.booking.models import Assignment, Booking
from tests.support.booking import FRIDAY_EVENING, NOW, volunteer
from tests.support.shifts import make_shift


def test_nothing_without_shifts(world, db):
    demo_data.load(db)
    assert db.exec(select(Booking)).all() == []


def test_books_about_sixty_percent_with_groups(world, db, frozen):
    for n in range(4):
        volunteer(db, world.ids["assoc_a"], f"A{n}")
        volunteer(db, world.ids["assoc_b"], f"B{n}")
    starts = [FRIDAY_EVENING + timedelta(days=7 * w) for w in range(-3, 7)]  # past and upcoming
    for start in starts:
        make_shift(
            db, municipality_id=world.ids["hassleholm"], area_id=world.ids["area_h"], start=start
        )
    db.commit()
    demo_data.load(db)
    bookings = db.exec(select(Booking)).all()
    assert len(bookings) == 6  # 60 % of 10
    assert {b.association_id for b in bookings} == {world.ids["assoc_a"], world.ids["assoc_b"]}
    groups = Counter(a.booking_id for a in db.exec(select(Assignment)).all())
    assert all(3 <= groups[b.id] <= 5 for b in bookings)
    statuses = Counter(a.status for a in db.exec(select(Assignment)).all())
    assert statuses["confirmed"] > 0 and statuses["declined"] == 1
    assert any(b for b in bookings if db.get(demo_data.Shift, b.shift_id).start_at < NOW)
    # Nothing happened in the future (it would show as a calendar change yet to come).
    for assignment in db.exec(select(Assignment)).all():
        assert assignment.created_at <= NOW
        assert assignment.responded_at is None or assignment.responded_at <= NOW
    demo_data.load(db)
    assert len(db.exec(select(Booking)).all()) == 6
