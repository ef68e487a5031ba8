"""What calendars remember that the roster forgets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, UniqueConstraint
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


class EventVersion(SQLModel, table=True):
    """SEQUENCE and LAST-MODIFIED of one walk's calendar event (UID ``shift-<id>@host``).

    One row per shift, shared by every feed and every e-mailed invite that shows the walk,
    so a client never sees the same UID go back. ``calendars.changes`` raises both whenever
    anything a feed or invite shows about the walk changes: its time, place or status, a
    booking, a walker, the area's, association's or municipality's shown text. ``changed``
    is in whole seconds since the epoch and strictly grows with each change.
    """

    __tablename__ = "calendar_event_version"

    shift_id: int = Field(
        primary_key=True, sa_column_kwargs={"autoincrement": False}, foreign_key="shift.id"
    )
    sequence: int = Field(default=0)
    changed: int = Field(default=0, sa_type=BigInteger)


class FeedVersion(SQLModel, table=True):
    """A change counter per feed: what its ETag and Last-Modified are made of.

    ``kind`` is ``municipality``, ``area``, ``association`` or ``person`` (the feed's owner)
    and ``window`` (owner 0), whose ``version`` is the day (since the epoch) the visibility
    window was last moved to. ``calendars.changes`` raises ``version`` and ``changed`` (whole
    seconds since the epoch, strictly growing) in the transaction of every write that changes
    what the feed shows, removals included. A feed without a row has never shown anything.
    """

    __tablename__ = "calendar_feed_version"

    kind: str = Field(primary_key=True, max_length=16)
    owner_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    version: int = Field(default=0)
    changed: int = Field(default=0, sa_type=BigInteger)
