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


class PendingRole(SQLModel, table=True):
    """A staff role offered by invitation. It becomes a ``Membership`` only when the invited
    person accepts through the link e-mailed to them (proof that the address is theirs)."""

    __tablename__ = "pending_role"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=20)
    municipality_id: int | None = Field(
        default=None, foreign_key="municipality.id", ondelete="CASCADE"
    )
    association_id: int | None = Field(
        default=None, foreign_key="association.id", ondelete="CASCADE"
    )
    sponsor_id: int | None = Field(default=None, foreign_key="sponsor.id", ondelete="CASCADE")
    # What the inviting admin typed: shown to staff instead of the account's own details.
    invited_name: str = Field(max_length=120)
    invited_email: str = Field(max_length=254)
    created_at: datetime = created_at_field()


class VerificationPurpose(StrEnum):
    PHONE_CHANGE = "phone_change"  # a person's new mobile number (code by SMS)
    EMAIL_CHANGE = "email_change"  # a person's new e-mail address (link by e-mail)
    CLAIM = "claim"  # an invitation to an account anchored by its number (code by SMS)
    REGISTRATION = "registration"  # the contact number of an association registration


class Verification(SQLModel, table=True):
    """A pending proof that someone holds a mobile number (a code sent by SMS) or an e-mail
    address (a link sent by e-mail).

    Neither secret is stored: the SMS code is derived at send time from ``code_key`` and
    SECRET_KEY (``accounts.verification.code_for``), the link only as its SHA-256.
    """

    __tablename__ = "verification"
    __table_args__ = (Index("ix_verification_target_created", "target", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=20)
    target: str = Field(max_length=254)  # the E.164 number or e-mail address being proven
    user_id: int | None = Field(
        default=None, foreign_key="user_account.id", index=True, ondelete="CASCADE"
    )
    registration_id: int | None = Field(
        default=None, foreign_key="registration_request.id", index=True, ondelete="CASCADE"
    )
    code_key: str | None = Field(default=None, max_length=64, unique=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = created_at_field()
    expires_at: datetime
    verified_at: datetime | None = None
    revoked_at: datetime | None = None
