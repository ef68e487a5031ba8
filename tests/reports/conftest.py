"""Builders for reports tests: shifts, bookings and roster rows created directly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from nattvandring.booking.models import Assignment, AssignmentStatus, Booking
from nattvandring.clock import local_to_utc
from nattvandring.planning.models import Shift, ShiftStatus


@dataclass
class Walk:
    shift: Shift
    booking: Booking


def make_walk(
    session: Session,
    *,
    municipality_id: int,
    area_id: int,
    association_id: int,
    day: date,
    start: time = time(22),
    end: time = time(3),
    walkers: tuple[int, ...] = (),
    declined: tuple[int, ...] = (),
) -> Walk:
    end_day = day + timedelta(days=1) if end <= start else day
    shift = Shift(
        municipality_id=municipality_id,
        area_id=area_id,
        start_at=local_to_utc(day, start),
        end_at=local_to_utc(end_day, end),
        status=ShiftStatus.BOOKED,
    )
    session.add(shift)
    session.flush()
    booking = Booking(shift_id=shift.id, association_id=association_id)
    session.add(booking)
    session.flush()
    for user_id in walkers:
        session.add(Assignment(shift_id=shift.id, booking_id=booking.id, user_id=user_id))
    for user_id in declined:
        session.add(
            Assignment(
                shift_id=shift.id,
                booking_id=booking.id,
                user_id=user_id,
                status=AssignmentStatus.DECLINED,
            )
        )
    session.flush()
    return Walk(shift, booking)


def make_walk_a(session: Session, world) -> Walk:
    """A finished Friday walk 22:00-03:00 of association A with vol_a and vol_a2 (and a
    declined leader), on 2026-10-24 (the October DST night: 6 hours)."""
    return make_walk(
        session,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        association_id=world.ids["assoc_a"],
        day=date(2026, 10, 24),
        walkers=(world.ids["vol_a"], world.ids["vol_a2"]),
        declined=(world.ids["leader_a"],),
    )


@pytest.fixture
def walk_a(db, world):
    """``make_walk_a`` in the test's world, committed."""
    walk = make_walk_a(db, world)
    db.commit()
    return walk


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    from nattvandring.clock import STOCKHOLM

    return datetime(year, month, day, hour, tzinfo=STOCKHOLM)


def file_report(
    session,
    walk: Walk,
    walkers,
    *,
    young: int = 0,
    summary: str = "",
    incidents=(),
    places=(),
    approve_by: int | None = None,
    submit: bool = True,
):
    """File (and optionally approve) a report; walkers are (user_id, "HH:MM", "HH:MM")."""
    from nattvandring.reports.services_report import (
        IncidentInput,
        PlaceInput,
        ReportInput,
        WalkerInput,
        save_report,
        start_report,
        submit_report,
    )
    from nattvandring.reports.services_review import approve

    report = start_report(session, walk.booking, actor_id=None)
    save_report(
        session,
        report,
        ReportInput(
            young_people_met=young,
            summary=summary,
            walkers=[WalkerInput(*w) for w in walkers],
            incidents=[IncidentInput(*i) for i in incidents],
            places=[PlaceInput(*p) for p in places],
        ),
        actor_id=None,
    )
    if submit:
        submit_report(session, report, actor_id=None)
    if approve_by is not None:
        approve(session, report, actor_id=approve_by)
    return report


def march_world(db, world):
    """The constructed month (March 2026, Hässleholm) used by lägesbild and erasure tests."""
    from nattvandring.municipalities.models import Municipality
    from nattvandring.reports.models import UnsafePlace, UnsafePlaceStatus
    from nattvandring.reports.services_review import correct_walker, set_place_status
    from tests.factories import area

    hassleholm = db.get(Municipality, world.ids["hassleholm"])
    station = area(db, hassleholm, "Resecentrum")
    ids = world.ids
    coord = ids["coord_h"]

    def walk(area_id, assoc, day, start=time(21), end=time(1), muni=None):
        return make_walk(
            db,
            municipality_id=muni or ids["hassleholm"],
            area_id=area_id,
            association_id=assoc,
            day=day,
            start=start,
            end=end,
        )

    w1 = walk(ids["area_h"], ids["assoc_a"], date(2026, 3, 6))
    r1 = file_report(
        db,
        w1,
        [(ids["vol_a"], "21:00", "01:00"), (ids["vol_a2"], "21:00", "23:00")],
        young=20,
        summary="Vol A2 fick gå hem tidigare, ring 0701234567 vid frågor.",
        incidents=[
            ("alcohol", "Berusade", "Torget"),
            ("alcohol", "Flaska krossad", ""),
            ("violence", "Slagsmål, polis larmad", "Parken"),
        ],
        places=[("Trasig lampa", "Gångtunneln", 56.1, 13.7)],
        approve_by=coord,
    )
    correct_walker(
        db,
        r1,
        user_id=ids["vol_a"],
        minutes=300,
        reason="Vol A stannade till 02:00",
        actor_id=coord,
    )
    place = db.exec(select(UnsafePlace).where(UnsafePlace.report_id == r1.id)).one()
    set_place_status(db, place, UnsafePlaceStatus.FORWARDED, actor_id=coord)
    w2 = walk(station.id, ids["assoc_b"], date(2026, 3, 13))
    file_report(
        db,
        w2,
        [(ids["vol_b"], "21:00", "01:00"), (ids["leader_b"], "21:00", "01:00")],
        young=35,
        incidents=[("threat", "Hot mot vandrare", "")],
        places=[("Mörk cykelparkering", "Skolan", None, None), ("Buskage", "Parken", None, None)],
        approve_by=coord,
    )
    w3 = walk(ids["area_h"], ids["assoc_a"], date(2026, 3, 20))
    file_report(db, w3, [(ids["vol_a"], "21:00", "01:00")], young=99, incidents=[("drugs", "", "")])
    w4 = walk(ids["area_h"], ids["assoc_a"], date(2026, 4, 3))
    file_report(
        db,
        w4,
        [(ids["vol_a2"], "21:00", "00:00")],
        young=10,
        incidents=[("vandalism", "Klotter", "")],
        approve_by=coord,
    )
    w5 = walk(ids["area_b"], ids["assoc_c"], date(2026, 3, 6), muni=ids["bjuv"])
    file_report(db, w5, [(ids["vol_c"], "21:00", "01:00")], young=7, approve_by=ids["coord_b"])
    db.flush()
    return {"station": station, "r1": r1, "walks": (w1, w2, w3, w4, w5)}
