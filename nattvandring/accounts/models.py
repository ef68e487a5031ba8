"""Users, role memberships and single-use access tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..models_base import created_at_field


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    LEADER = "leader"
    VOLUNTEER = "volunteer"
    SPONSOR_LIAISON = "sponsor_liaison"


class User(SQLModel, table=True):
    """A person: staff with a password, or a volunteer who only has personal links."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    email: str | None = Field(default=None, max_length=254, unique=True)
    phone_e164: str | None = Field(default=None, max_length=20, unique=True)
    birth_year: int | None = None
    language: str = Field(default="sv", max_length=5)
    password_hash: str | None = Field(default=None, max_length=255)
    # Part of the login cookie; bumping it logs out every other session of this user.
    session_version: int = Field(default=1)
    is_active: bool = Field(default=True)
    sms_opt_out: bool = Field(default=False)
    phone_invalid: bool = Field(default=False)
    created_at: datetime = created_at_field()
    last_login_at: datetime | None = None
    last_activity_at: datetime | None = None
    anonymized_at: datetime | None = None


class Membership(SQLModel, table=True):
    """A role held by a user within a tenant (municipality, association or sponsor)."""

    __table_args__ = (
        UniqueConstraint(
            "user_id",
            "role",
            "municipality_id",
            "association_id",
            "sponsor_id",
            name="uq_membership_scope",
        ),
        Index("ix_membership_association_role", "association_id", "role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=20)
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id", index=True)
    association_id: int | None = Field(default=None, foreign_key="association.id")
    sponsor_id: int | None = Field(default=None, foreign_key="sponsor.id", index=True)
    created_at: datetime = created_at_field()


class TokenPurpose(StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose name, not a secret
    PERSONAL_PAGE = "personal_page"
    PERSONAL_FEED = "personal_feed"
    ASSOCIATION_FEED = "association_feed"


class AccessToken(SQLModel, table=True):
    """A secret link. Only the SHA-256 of the token is stored; each token has one purpose."""

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=30)
    token_hash: str = Field(max_length=64, unique=True)
    # Stable links (personal page, feeds) are derived as HMAC(SECRET_KEY, purpose, owner,
    # nonce), so an SMS can carry the link again without the database holding the token.
    nonce: str | None = Field(default=None, max_length=64)
    user_id: int | None = Field(
        default=None, foreign_key="user_account.id", index=True, ondelete="CASCADE"
    )
    association_id: int | None = Field(
        default=None, foreign_key="association.id", index=True, ondelete="CASCADE"
    )
    created_at: datetime = created_at_field()
    expires_at: datetime | None = None
    used_at: datetime | None = None
    revoked_at: datetime | None = None
