"""Association table."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from ..models_base import created_at_field, updated_at_field


class AssociationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SUSPENDED = "suspended"


class AccountType(StrEnum):
    BANKGIRO = "bankgiro"
    PLUSGIRO = "plusgiro"


class Association(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("municipality_id", "org_number", name="uq_association_orgnr"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    name: str = Field(max_length=160)
    org_number: str = Field(max_length=11)  # NNNNNN-NNNN
    account_type: str = Field(default=AccountType.BANKGIRO, max_length=10)
    account_number: str = Field(max_length=12)  # formatted, e.g. 5050-1055 or 4711-8
    contact_name: str = Field(max_length=120)
    contact_email: str = Field(max_length=254)
    contact_phone: str = Field(max_length=20)  # E.164
    status: str = Field(default=AssociationStatus.PENDING, max_length=10)
    # Lets members put themselves on the association's booked walks from their personal page.
    allow_self_signup: bool = Field(default=False)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
    approved_at: datetime | None = None


class RegistrationRequest(SQLModel, table=True):
    """A registration form not yet proven: the association and its leader are created only
    when the link e-mailed to the contact address is opened and the code sent by SMS to the
    contact number is entered (``associations.registration``)."""

    __tablename__ = "registration_request"

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", ondelete="CASCADE")
    name: str = Field(max_length=160)
    org_number: str = Field(max_length=11)
    account_type: str = Field(max_length=10)
    account_number: str = Field(max_length=12)
    contact_name: str = Field(max_length=120)
    contact_email: str = Field(max_length=254)
    contact_phone: str = Field(max_length=20)
    # The password chosen in the form (argon2id); used only if a new login is created.
    password_hash: str = Field(default="", max_length=255)
    language: str = Field(default="sv", max_length=5)
    token_hash: str = Field(max_length=64, unique=True)  # the e-mailed link's SHA-256
    created_at: datetime = created_at_field()
    expires_at: datetime
    completed_at: datetime | None = None
    association_id: int | None = Field(
        default=None, foreign_key="association.id", ondelete="SET NULL"
    )
