"""Append-only audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from ..models_base import created_at_field


class AuditEntry(SQLModel, table=True):
    __table_args__ = (Index("ix_audit_municipality_at", "municipality_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = created_at_field()
    actor_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id")
    association_id: int | None = Field(default=None, foreign_key="association.id", index=True)
    action: str = Field(max_length=60)
    object_type: str = Field(max_length=40)
    object_id: int | None = None
    details: str = Field(default="", max_length=2000)
