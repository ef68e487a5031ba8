"""Pending memberships: a leader asked a person who already exists to join the association.

A ``MembershipRequest`` is not a membership. Nothing that reads ``Membership`` (walking
groups, SMS about walks, the personal page, reports) sees the person until they say yes; the
leader sees only the details they typed themselves.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from ..models_base import created_at_field


class RequestStatus(StrEnum):
    PENDING = "pending"
    DECLINED = "declined"


class MembershipRequest(SQLModel, table=True):
    __tablename__ = "membership_request"
    __table_args__ = (UniqueConstraint("association_id", "user_id", name="uq_membership_request"),)

    id: int | None = Field(default=None, primary_key=True)
    association_id: int = Field(foreign_key="association.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    # As the leader typed them: what the leader is shown, never the person's stored details.
    name: str = Field(max_length=120)
    phone_e164: str = Field(max_length=20)
    email: str | None = Field(default=None, max_length=254)
    birth_year: int | None = None
    status: str = Field(default=RequestStatus.PENDING, max_length=10)
    created_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    created_at: datetime = created_at_field()
    # When the question was queued (SMS or e-mail); None while the association is unapproved.
    asked_at: datetime | None = None
    answered_at: datetime | None = None
