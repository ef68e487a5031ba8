"""The e-mail outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from ..models_base import created_at_field


class EmailMessage(SQLModel, table=True):
    __tablename__ = "email_outbox"
    __table_args__ = (Index("ix_email_outbox_status_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    to_name: str = Field(default="", max_length=120)
    subject: str = Field(max_length=200)
    body_text: str = Field(max_length=20000)
    kind: str = Field(max_length=40)
    # An optional calendar attachment (text/calendar) with its METHOD.
    ics: str | None = Field(default=None, max_length=200000)
    ics_method: str | None = Field(default=None, max_length=10)
    dedupe_key: str | None = Field(default=None, max_length=120, unique=True)
    status: str = Field(default="pending", max_length=12)
    due_at: datetime = created_at_field()
    attempts: int = Field(default=0)
    lease_until: datetime | None = None
    last_error: str = Field(default="", max_length=500)
    sent_at: datetime | None = None
    created_at: datetime = created_at_field()
