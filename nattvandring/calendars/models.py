"""What calendars remember that the roster forgets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..models_base import created_at_field


class CancelledWalk(SQLModel, table=True):
    """A volunteer's walk whose booking was cancelled while the shift itself goes on.

    Cancelling a booking drops its walking group from the roster, but the walkers' calendars
    must show the walk as STATUS:CANCELLED rather than let it vanish (a client that never
    sees the cancellation keeps the stale event). The personal feed reads these rows next to
    the live assignments. A row is removed when the volunteer is put on the same shift again
    and when they are erased; only ids and the two times the feed shows are kept.
    """

    __tablename__ = "cancelled_walk"
    __table_args__ = (
        UniqueConstraint("shift_id", "user_id", name="uq_cancelled_walk_shift_user"),
        Index("ix_cancelled_walk_user", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(foreign_key="shift.id")
    booking_id: int = Field(foreign_key="booking.id")
    user_id: int = Field(foreign_key="user_account.id")
    assigned_at: datetime
    responded_at: datetime | None = None
    created_at: datetime = created_at_field()
