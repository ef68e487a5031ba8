"""Demo: a pending membership. IFK Hässleholm typed in the number of one of Hässleholms
Scoutkår's volunteers, so that person has been asked to join and has not answered yet (the
leader sees only what was typed; the person sees the question on their personal page).

Idempotent: does nothing once any membership question exists.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from ..accounts.models import Membership, Role, User
from ..associations.models import Association
from .models import MembershipRequest
from .services_requests import ask

ORDER = 40
ASKING, ASKED_FROM = "IFK Hässleholm", "Hässleholms Scoutkår"


def load(session: Session) -> None:
    if session.exec(select(MembershipRequest.id)).first() is not None:
        return
    asking = session.exec(select(Association).where(Association.name == ASKING)).first()
    other = session.exec(select(Association).where(Association.name == ASKED_FROM)).first()
    if asking is None or other is None:
        return
    leaders = select(Membership.user_id).where(Membership.role == Role.LEADER)
    person = session.exec(
        select(User)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(
            Membership.association_id == other.id,
            Membership.role == Role.VOLUNTEER,
            col(User.id).not_in(leaders),
        )
        .order_by(col(User.id).desc())
    ).first()
    if person is None:
        return
    ask(
        session,
        association=asking,
        user=person,
        name="Kompis från scouterna",
        phone_e164=person.phone_e164 or "",
        email=None,
        birth_year=None,
        actor_id=None,
    )
