"""Fair booking rounds: popular nights drawn among the associations that wish for them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from ..models_base import created_at_field


class RoundStatus(StrEnum):
    OPEN = "open"  # leaders rank the nights until the deadline
    DRAWN = "drawn"


class BookingRound(SQLModel, table=True):
    __tablename__ = "booking_round"

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    name: str = Field(max_length=120)
    deadline: datetime
    max_nights_per_association: int | None = None
    status: str = Field(default=RoundStatus.OPEN, max_length=10)
    # The seed stays secret until the draw; its SHA-256 is shown from the start.
    seed: str = Field(max_length=64)
    seed_sha256: str = Field(max_length=64)
    drawn_at: datetime | None = None
    # The associations in draw order (comma-separated ids), stored so the page shows it.
    drawn_order: str = Field(default="", max_length=4000)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = created_at_field()


class RoundShift(SQLModel, table=True):
    """A night in a round: not bookable the ordinary way until the round is drawn."""

    __tablename__ = "booking_round_shift"
    __table_args__ = (UniqueConstraint("round_id", "shift_id", name="uq_round_shift"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="booking_round.id", index=True)
    shift_id: int = Field(foreign_key="shift.id", index=True)


class RoundWish(SQLModel, table=True):
    """An association's ranked wish for a night of the round (rank 1 is the most wanted)."""

    __tablename__ = "booking_round_wish"
    __table_args__ = (
        UniqueConstraint("round_id", "association_id", "shift_id", name="uq_round_wish_shift"),
        UniqueConstraint("round_id", "association_id", "rank", name="uq_round_wish_rank"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="booking_round.id", index=True)
    association_id: int = Field(foreign_key="association.id")
    shift_id: int = Field(foreign_key="shift.id")
    rank: int
    updated_at: datetime = created_at_field()


class RoundPick(SQLModel, table=True):
    """One pick of the draw; the unique number makes a second draw impossible to store."""

    __tablename__ = "booking_round_pick"
    __table_args__ = (UniqueConstraint("round_id", "number", name="uq_round_pick_number"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="booking_round.id", index=True)
    number: int
    draft_round: int
    association_id: int = Field(foreign_key="association.id")
    shift_id: int = Field(foreign_key="shift.id")
    booking_id: int | None = Field(default=None, foreign_key="booking.id")
