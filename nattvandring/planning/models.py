"""Patrol areas, patrol nights (shifts) and the series they were generated from."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from ..clock import utcnow
from ..models_base import created_at_field, updated_at_field


class ShiftStatus(StrEnum):
    PLANNED = "planned"
    BOOKED = "booked"
    CANCELLED = "cancelled"


class PatrolArea(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("municipality_id", "name", name="uq_area_name"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    name: str = Field(max_length=120)
    meeting_point: str = Field(default="", max_length=255)
    latitude: float | None = None
    longitude: float | None = None
    description: str = Field(default="", max_length=2000)
    # What the walkers bring or collect at the meeting point (vests, first-aid kit, torch).
    equipment_note: str = Field(default="", max_length=500, sa_column_kwargs={"server_default": ""})
    default_start: time = Field(default=time(21, 0))
    default_end: time = Field(default=time(1, 0))
    default_min_walkers: int = Field(default=3)
    default_max_walkers: int | None = Field(default=6)
    min_age: int = Field(default=18)
    active: bool = Field(default=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class ShiftSeries(SQLModel, table=True):
    """A season of shifts created in one form; editing it lists the booked shifts it touches."""

    __tablename__ = "shift_series"

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    name: str = Field(default="", max_length=120)
    weekdays: str = Field(max_length=20)  # comma-separated ISO weekdays 0=Mon..6=Sun
    start_date: date
    end_date: date
    start_time: time
    end_time: time
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = created_at_field()


class Shift(SQLModel, table=True):
    """One patrol area on one night. Start and end are UTC instants."""

    __table_args__ = (
        Index("ix_shift_municipality_start", "municipality_id", "start_at"),
        Index("ix_shift_area_start", "area_id", "start_at"),
        # Each night exists once: at most one shift that is not cancelled per area and start.
        # A SELECT before the INSERT cannot promise that under concurrent requests; this can.
        Index(
            "uq_shift_area_start_active",
            "area_id",
            "start_at",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id")
    area_id: int = Field(foreign_key="patrolarea.id")
    series_id: int | None = Field(default=None, foreign_key="shift_series.id", index=True)
    start_at: datetime
    end_at: datetime
    min_walkers: int = Field(default=3)
    max_walkers: int | None = Field(default=6)
    min_age: int = Field(default=18)
    status: str = Field(default=ShiftStatus.PLANNED, max_length=10)
    special_key: str | None = Field(default=None, max_length=30)
    notes: str = Field(default="", max_length=2000)
    # Calendar clients need these: SEQUENCE goes up on every change of time, place or status,
    # and updated_at is the shift's last change (DTSTAMP/LAST-MODIFIED).
    sequence: int = Field(default=0)
    updated_at: datetime = Field(default_factory=utcnow)
    cancelled_at: datetime | None = None
    cancel_reason: str = Field(default="", max_length=500)
    created_at: datetime = created_at_field()


class SchoolBreak(SQLModel, table=True):
    """A municipality's school break (sportlov, påsklov, höstlov) by ISO week number.

    The weeks differ by municipality (and sportlov by region); the planner suggests the
    break's evenings each season and the calendars show them like special nights.
    """

    __tablename__ = "school_break"
    __table_args__ = (UniqueConstraint("municipality_id", "kind", name="uq_school_break_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    kind: str = Field(max_length=20)  # special_nights.BREAK_KEYS
    iso_week: int
    updated_at: datetime = updated_at_field()
