"""Bookings, reserve-list entries and roster assignments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel, col

from ..models_base import created_at_field


class BookingStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class Booking(SQLModel, table=True):
    __table_args__ = (
        Index("ix_booking_shift_status", "shift_id", "status"),
        Index("ix_booking_association_status", "association_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(foreign_key="shift.id")
    association_id: int = Field(foreign_key="association.id")
    status: str = Field(default=BookingStatus.ACTIVE, max_length=10)
    # Set while active, NULL once cancelled: the unique index below then allows at most one
    # active booking per (shift, association) at the database level.
    active_key: int | None = Field(default=1)
    booked_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = created_at_field()
    cancelled_at: datetime | None = None
    cancelled_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    cancel_reason: str = Field(default="", max_length=500)


Index(
    "uq_booking_active",
    col(Booking.shift_id),
    col(Booking.association_id),
    col(Booking.active_key),
    unique=True,
)


class ReserveStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    WITHDRAWN = "withdrawn"
    # The association booked the shift after all (from the list or by itself).
    ACCEPTED = "accepted"
    # The offer's window ended unanswered; the shift went on to the next in line.
    EXPIRED = "expired"


class ReserveEntry(SQLModel, table=True):
    """An association waiting for a booked shift; the first is offered it on cancellation."""

    __tablename__ = "reserve_entry"
    __table_args__ = (UniqueConstraint("shift_id", "association_id", name="uq_reserve_shift"),)

    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(foreign_key="shift.id", index=True)
    association_id: int = Field(foreign_key="association.id", index=True)
    status: str = Field(default=ReserveStatus.WAITING, max_length=10)
    created_at: datetime = created_at_field()
    offered_at: datetime | None = None
    # While offered, only this association may book the shift, until this instant.
    offer_expires_at: datetime | None = None


class AssignmentStatus(StrEnum):
    ASSIGNED = "assigned"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


class Assignment(SQLModel, table=True):
    """A volunteer in the walking group of a booked shift."""

    __table_args__ = (
        UniqueConstraint("shift_id", "user_id", name="uq_assignment_shift_user"),
        Index("ix_assignment_user", "user_id"),
        Index("ix_assignment_booking", "booking_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(foreign_key="shift.id")
    booking_id: int = Field(foreign_key="booking.id")
    user_id: int = Field(foreign_key="user_account.id")
    status: str = Field(default=AssignmentStatus.ASSIGNED, max_length=10)
    self_signed_up: bool = Field(default=False)
    created_at: datetime = created_at_field()
    responded_at: datetime | None = None
