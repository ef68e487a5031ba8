"""The municipality table (with its booking settings)."""

from __future__ import annotations

from datetime import datetime

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
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
