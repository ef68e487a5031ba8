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


class WalkerCallStatus(StrEnum):
    OPEN = "open"
    FILLED = "filled"


class WalkerCall(SQLModel, table=True):
    """ "Vi behöver en till": a group asks its members by SMS; the first to answer JA joins.

    ``open_key`` is 1 while open and NULL once filled, so the unique index allows one open
    call per booking. ``joined`` counts who joined through it, up to ``needed``; both are
    changed only under the shift's row lock (``booking.calls``).
    """

    __tablename__ = "walker_call"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    shift_id: int = Field(foreign_key="shift.id")
    needed: int = Field(default=1)
    joined: int = Field(default=0)
    status: str = Field(default=WalkerCallStatus.OPEN, max_length=10)
    open_key: int | None = Field(default=1)
    created_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    created_at: datetime = created_at_field()
    filled_at: datetime | None = None


Index(
    "uq_walker_call_open",
    col(WalkerCall.booking_id),
    col(WalkerCall.open_key),
    unique=True,
)


class CallAnswer(StrEnum):
    NONE = ""
    JOINED = "joined"
    TOO_LATE = "too_late"  # said JA after the group was full: "Tack, vi är fulltaliga"
    DECLINED = "declined"
    REFUSED = "refused"  # said JA but could no longer walk (e.g. booked elsewhere since)


class WalkerCallInvite(SQLModel, table=True):
    """One member asked by a ``WalkerCall`` (one SMS), and their answer."""

    __tablename__ = "walker_call_invite"
    __table_args__ = (UniqueConstraint("call_id", "user_id", name="uq_walker_call_invite"),)

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="walker_call.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    answer: str = Field(default=CallAnswer.NONE, max_length=10)
    created_at: datetime = created_at_field()
    answered_at: datetime | None = None
