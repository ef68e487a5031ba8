"""Registering, approving and editing associations. Flush only; the edge commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from ..accounts.models import Role, User
from ..accounts.services import find_by_email, grant, normalize_email, normalize_phone
from ..audit.services import record
from ..clock import utcnow
from ..errors import RuleViolation
from ..i18n import _l
from ..municipalities.models import Municipality
from ..passwords import hash_password
from .models import Association, AssociationStatus
from .validation import normalize_account, normalize_org_number


@dataclass(frozen=True)
class AssociationInput:
    name: str
    org_number: str
    account_type: str
    account_number: str
    contact_name: str
    contact_email: str
    contact_phone: str


def validated(data: AssociationInput) -> dict[str, str]:
    """Normalized column values, or the first RuleViolation (with the field it concerns)."""
    name = data.name.strip()
    if not name:
        raise RuleViolation("name_required", _l("Ange föreningens namn."), field="name")
    return {
        "name": name,
        "org_number": normalize_org_number(data.org_number),
        "account_type": data.account_type,
        "account_number": normalize_account(data.account_type, data.account_number),
        "contact_name": data.contact_name.strip(),
        "contact_email": normalize_email(data.contact_email),
        "contact_phone": normalize_phone(data.contact_phone),
    }


def register(
    session: Session,
    *,
    municipality: Municipality,
    data: AssociationInput,
    leader_password: str,
) -> Association:
    """A public application: a pending association and its contact person as leader."""
    values = validated(data)
    duplicate = session.exec(
        select(Association).where(
            Association.municipality_id == municipality.id,
            Association.org_number == values["org_number"],
        )
    ).first()
    if duplicate:
        raise RuleViolation(
            "orgnr_taken",
            _l("Föreningen är redan registrerad i kommunen."),
            field="org_number",
        )
    association = Association(municipality_id=municipality.id, **values)
    session.add(association)
    leader = find_by_email(session, values["contact_email"])
    if leader is None:
        phone_owner = session.exec(
            select(User).where(User.phone_e164 == values["contact_phone"])
        ).first()
        if phone_owner is not None and phone_owner.email:
            raise RuleViolation(
                "phone_taken",
                _l("Mobilnumret hör till ett annat konto. Logga in eller ange ett annat nummer."),
                field="contact_phone",
            )
        leader = phone_owner or User(name=values["contact_name"])
        leader.email = values["contact_email"]
        leader.phone_e164 = values["contact_phone"]
        if leader.password_hash is None:
            leader.password_hash = hash_password(leader_password)
        session.add(leader)
    session.flush()
    grant(session, leader, Role.LEADER, association_id=association.id)
    record(
        session,
        actor_id=leader.id,
        action="association.registered",
        object_type="association",
        object_id=association.id,
        municipality_id=municipality.id,
        association_id=association.id,
    )
    return association


def set_status(
    session: Session, association: Association, status: AssociationStatus, *, actor_id: int
) -> None:
    association.status = status
    if status == AssociationStatus.APPROVED and association.approved_at is None:
        association.approved_at = utcnow()
    record(
        session,
        actor_id=actor_id,
        action=f"association.{status}",
        object_type="association",
        object_id=association.id,
        municipality_id=association.municipality_id,
        association_id=association.id,
    )


def update_profile(
    session: Session,
    association: Association,
    data: AssociationInput,
    *,
    allow_self_signup: bool,
    actor_id: int,
) -> None:
    values = validated(data)
    clash = session.exec(
        select(Association).where(
            Association.municipality_id == association.municipality_id,
            Association.org_number == values["org_number"],
            Association.id != association.id,
        )
    ).first()
    if clash:
        raise RuleViolation(
            "orgnr_taken",
            _l("Organisationsnumret används av en annan förening."),
            field="org_number",
        )
    for key, value in values.items():
        setattr(association, key, value)
    association.allow_self_signup = allow_self_signup
    record(
        session,
        actor_id=actor_id,
        action="association.profile_updated",
        object_type="association",
        object_id=association.id,
        municipality_id=association.municipality_id,
        association_id=association.id,
    )
