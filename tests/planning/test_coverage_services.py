"""Coverage per area and ISO week, and the shifts needing attention in the next 7 days."""

from __future__ import annotations

from datetime import date

from nattvandring.planning.coverage import coverage
from nattvandring.planning.models import PatrolArea
from nattvandring.planning.services_areas import areas_of
from tests.support.shifts import book, make_shift


def test_counts_per_area_and_week_and_attention_list(app, world, db, frozen):
    hid, area = world.ids["hassleholm"], world.ids["area_h"]
    other = PatrolArea(municipality_id=hid, name="Ljungdala")
    db.add(other)
    db.flush()

    def shift(day, area_id=area, **kw):
        return make_shift(db, municipality_id=hid, area_id=area_id, day=day, **kw)

    # Week 36 (31 Aug - 6 Sep 2026): now is Tue 1 Sep.
    open_soon = shift(date(2026, 9, 4))
    full = shift(date(2026, 9, 5), min_walkers=2)
    book(db, full, world.ids["assoc_a"], walkers=[world.ids["vol_a"], world.ids["vol_a2"]])
    thin = shift(date(2026, 9, 5), area_id=other.id)
    book(db, thin, world.ids["assoc_b"], walkers=[world.ids["vol_b"]])
    cancelled = shift(date(2026, 9, 6))
    cancelled.status = "cancelled"
    # Week 38: outside the 7-day window.
    far = shift(date(2026, 9, 18))
    # Bjuv's shift never shows in Hässleholm.
    make_shift(
        db, municipality_id=world.ids["bjuv"], area_id=world.ids["area_b"], day=date(2026, 9, 4)
    )
    db.commit()

    result = coverage(db, municipality_id=hid, areas=areas_of(db, hid), weeks=8)
    assert [w[1] for w in result.weeks] == [36, 37, 38, 39, 40, 41, 42, 43]
    centre = result.cell(area, (2026, 36))
    assert (centre.booked, centre.open, centre.below_minimum) == (1, 1, 0)
    ljungdala = result.cell(other.id, (2026, 36))
    assert (ljungdala.booked, ljungdala.open, ljungdala.below_minimum) == (1, 0, 1)
    later = result.cell(area, (2026, 38))
    assert (later.booked, later.open, later.below_minimum) == (0, 1, 0)
    assert result.cell(area, (2026, 37)).total == 0
    assert [row.shift.id for row in result.attention] == [open_soon.id, thin.id]
    assert cancelled.id not in {row.shift.id for row in result.attention}
    assert far.id not in {row.shift.id for row in result.attention}


def test_declined_walkers_and_cancelled_bookings_do_not_count(app, world, db, frozen):
    from nattvandring.booking.models import Assignment

    hid = world.ids["hassleholm"]
    s = make_shift(
        db, municipality_id=hid, area_id=world.ids["area_h"], day=date(2026, 9, 4), min_walkers=1
    )
    booking = book(db, s, world.ids["assoc_a"], walkers=[world.ids["vol_a"]])
    declined = db.exec(
        __import__("sqlmodel").select(Assignment).where(Assignment.booking_id == booking.id)
    ).one()
    declined.status = "declined"
    db.commit()
    result = coverage(db, municipality_id=hid, areas=areas_of(db, hid), weeks=1)
    cell = result.cell(world.ids["area_h"], (2026, 36))
    assert (cell.booked, cell.below_minimum) == (1, 1)
    booking.status, booking.active_key = "cancelled", None
    db.commit()
    result = coverage(db, municipality_id=hid, areas=areas_of(db, hid), weeks=1)
    cell = result.cell(world.ids["area_h"], (2026, 36))
    assert (cell.booked, cell.open) == (0, 1)


def test_a_shared_shift_is_under_minimum_while_one_group_is(app, world, db, frozen):
    """Each group needs the minimum: two walkers in one group and none in the other is not
    a staffed shift, though two walkers are enough for one group."""
    from nattvandring.booking.models import Assignment

    hid = world.ids["hassleholm"]
    s = make_shift(
        db, municipality_id=hid, area_id=world.ids["area_h"], day=date(2026, 9, 4), min_walkers=1
    )
    book(db, s, world.ids["assoc_a"], walkers=[world.ids["vol_a"], world.ids["vol_a2"]])
    second = book(db, s, world.ids["assoc_b"])
    db.commit()
    result = coverage(db, municipality_id=hid, areas=areas_of(db, hid), weeks=1)
    assert result.cell(world.ids["area_h"], (2026, 36)).below_minimum == 1
    assert [row.shift.id for row in result.attention] == [s.id]
    db.add(Assignment(shift_id=s.id, booking_id=second.id, user_id=world.ids["vol_b"]))
    db.commit()
    result = coverage(db, municipality_id=hid, areas=areas_of(db, hid), weeks=1)
    assert result.cell(world.ids["area_h"], (2026, 36)).below_minimum == 0
