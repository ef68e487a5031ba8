"""Sponsor table (agreements, rules and payout runs build on it)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from ..models_base import created_at_field


class Sponsor(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=160)
    org_number: str = Field(max_length=11, unique=True)
    created_at: datetime = created_at_field()
