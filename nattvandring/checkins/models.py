"""The sign-in log of a walk, the per-municipality nudge settings and the nudges sent.

The log is append-only: every check-in and check-out is one ``CheckEvent`` with its source
and instant. A walker's state is their latest event for the booking. ``seq`` numbers a
walker's events in one booking; the unique constraint on it means two check-ins sent at the
same moment (an SMS and a button press) can never both be written: the second one fails
and is answered from the first one's result.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..models_base import created_at_field


class CheckKind(StrEnum):
    IN = "in"
    OUT = "out"


class CheckSource(StrEnum):
    SMS = "sms"
    PAGE = "page"  # the walker's personal page
    LEADER = "leader"  # the leader, from the group page


class NudgeKind(StrEnum):
    NOT_STARTED = "not_started"  # nobody checked in 20 minutes after the start
    STILL_OUT = "still_out"  # walkers still checked in two hours after the planned end


class CheckEvent(SQLModel, table=True):
    __tablename__ = "check_event"
    __table_args__ = (
        UniqueConstraint("booking_id", "user_id", "seq", name="uq_check_event_seq"),
        Index("ix_check_event_shift", "shift_id"),
        Index("ix_check_event_user", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(foreign_key="shift.id")
    booking_id: int = Field(foreign_key="booking.id")
    # NULL once the walker is erased: the log keeps the times, not the person.
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    seq: int
    kind: str = Field(max_length=3)
    source: str = Field(max_length=6)
    at: datetime
    recorded_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )


class CheckinSettings(SQLModel, table=True):
    """A municipality's choice of safety nudges (a missing row: both are on)."""

    __tablename__ = "checkin_settings"

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", unique=True)
    nudge_not_started: bool = Field(default=True)
    nudge_still_out: bool = Field(default=True)
    updated_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    updated_at: datetime = created_at_field()


class CheckinNudge(SQLModel, table=True):
    """A nudge that fired for a booking: the unique key lets it fire once, whatever the
    number of workers scanning at the same moment."""

    __tablename__ = "checkin_nudge"
    __table_args__ = (UniqueConstraint("booking_id", "kind", name="uq_checkin_nudge_booking"),)

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id")
    kind: str = Field(max_length=12)
    fired_at: datetime = created_at_field()
