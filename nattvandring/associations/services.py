"""Approving and editing associations (registration is in ``registration``). Flush only;
the edge commits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from sqlmodel import Session, col, select

from .. import events
from ..accounts.services import normalize_email, normalize_phone
from ..audit.services import record
from ..clock import utcnow
from ..errors import RuleViolation
from ..i18n import _l
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


class AssociationValues(TypedDict):
    """An association's checked columns, as ``validated`` returns them."""

    name: str
    org_number: str
    account_type: str
    account_number: str
    contact_name: str
    contact_email: str
    contact_phone: str


def validated(data: AssociationInput) -> AssociationValues:
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


def set_status(
    session: Session, association: Association, status: AssociationStatus, *, actor_id: int
) -> None:
    association.status = status
    if status == AssociationStatus.APPROVED and association.approved_at is None:
        association.approved_at = utcnow()
    if status == AssociationStatus.APPROVED:
        session.flush()
        events.emit(session, events.AssociationApproved(association_id=association.id))  # type: ignore[arg-type]
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


def awaiting_approval(
    session: Session, *, municipality_ids: set[int], limit: int
) -> list[Association]:
    """Registered associations of ``municipality_ids`` waiting for the coordinator's
    approval, oldest first (at most ``limit``, one query)."""
    if not municipality_ids:
        return []
    return list(
        session.exec(
            select(Association)
            .where(
                col(Association.municipality_id).in_(municipality_ids),
                Association.status == AssociationStatus.PENDING,
            )
            .order_by(col(Association.created_at), col(Association.id))
            .limit(limit)
        ).all()
    )
