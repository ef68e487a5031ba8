"""Builders for the home pages: a Monday morning, and rows of each kind a home lists."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from nattvandring.associations.models import AssociationStatus
from nattvandring.booking.models import Assignment, AssignmentStatus, Booking, ReserveEntry
from nattvandring.planning.models import Shift
from nattvandring.reports.models import (
    PatrolReport,
    ReportStatus,
    UnsafePlace,
    UnsafePlaceStatus,
)
from tests.factories import association

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 2 November 2026, 10:00 in Stockholm


def night(
    session: Session,
    world,
    muni: str = "hassleholm",
    *,
    days: float,
    hours: float = 4,
    min_walkers: int = 3,
) -> Shift:
    """A shift ``days`` after NOW (negative: in the past)."""
    area = "area_h" if muni == "hassleholm" else "area_b"
    start = NOW + timedelta(days=days)
    shift = Shift(
        municipality_id=world.ids[muni],
        area_id=world.ids[area],
        start_at=start,
        end_at=start + timedelta(hours=hours),
        min_walkers=min_walkers,
    )
    session.add(shift)
    session.flush()
    return shift


def booked(
    session: Session,
    shift: Shift,
    association_id: int,
    *,
    confirmed: tuple[int, ...] = (),
    waiting: tuple[int, ...] = (),
) -> Booking:
    booking = Booking(shift_id=shift.id, association_id=association_id)
    shift.status = "booked"
    session.add_all([booking, shift])
    session.flush()
    for user_id in confirmed:
        session.add(
            Assignment(
                shift_id=shift.id,
                booking_id=booking.id,
                user_id=user_id,
                status=AssignmentStatus.CONFIRMED,
            )
        )
    for user_id in waiting:
        session.add(Assignment(shift_id=shift.id, booking_id=booking.id, user_id=user_id))
    session.flush()
    return booking


def report(
    session: Session, shift: Shift, booking: Booking, status: str = ReportStatus.SUBMITTED
) -> PatrolReport:
    row = PatrolReport(
        shift_id=shift.id,
        booking_id=booking.id,
        association_id=booking.association_id,
        municipality_id=shift.municipality_id,
        status=status,
        submitted_at=NOW - timedelta(days=1),
    )
    session.add(row)
    session.flush()
    return row


def unsafe_place(
    session: Session, row: PatrolReport, shift: Shift, description: str, status: str
) -> UnsafePlace:
    place = UnsafePlace(
        report_id=row.id,
        municipality_id=row.municipality_id,
        area_id=shift.area_id,
        description=description,
        status=status,
    )
    session.add(place)
    session.flush()
    return place


def pending_association(session: Session, world, muni: str, name: str):
    from nattvandring.municipalities.models import Municipality

    row = association(session, session.get(Municipality, world.ids[muni]), name)
    row.status = AssociationStatus.PENDING
    session.add(row)
    session.flush()
    return row


def offer(session: Session, shift: Shift, association_id: int) -> ReserveEntry:
    entry = ReserveEntry(
        shift_id=shift.id,
        association_id=association_id,
        status="offered",
        offered_at=NOW,
        offer_expires_at=NOW + timedelta(hours=24),
    )
    session.add(entry)
    session.flush()
    return entry


__all__ = ["NOW", "UnsafePlaceStatus", "date"]
