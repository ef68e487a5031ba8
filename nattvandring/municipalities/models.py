"""Municipality and patrol area tables."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from ..models_base import created_at_field, updated_at_field


class Municipality(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    slug: str = Field(max_length=120, unique=True)
    # Booking rules, configurable per municipality.
    max_associations_per_shift: int = Field(default=1)
    monthly_booking_cap: int | None = None
    cancel_deadline_hours: int = Field(default=72)
    report_due_days: int = Field(default=7)
    allow_reserve_list: bool = Field(default=True)
    # How long the first association on a reserve list holds an offered shift alone (shorter
    # close to the night: see booking.offers.offer_expiry).
    reserve_offer_hours: int = Field(default=24)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class PatrolArea(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("municipality_id", "name", name="uq_area_name"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    name: str = Field(max_length=120)
    meeting_point: str = Field(default="", max_length=255)
    latitude: float | None = None
    longitude: float | None = None
    description: str = Field(default="", max_length=2000)
    default_start: time = Field(default=time(21, 0))
    default_end: time = Field(default=time(1, 0))
    default_min_walkers: int = Field(default=3)
    default_max_walkers: int | None = Field(default=6)
    min_age: int = Field(default=18)
    active: bool = Field(default=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
