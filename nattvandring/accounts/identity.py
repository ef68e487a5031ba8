"""The logged-in person as Flask-Login sees them: a user row plus their memberships.

``get_id`` returns "<user id>:<session version>", so bumping ``User.session_version``
(password change, "log out everywhere") invalidates every other session and remember cookie.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from .models import Membership, Role, User


@dataclass
class Identity:
    user: User
    memberships: list[Membership] = field(default_factory=list)
    # Read at login time: choosing the locale must not touch the row (it may be detached
    # when the session cookie is written after the request's database session closed).
    language: str | None = None

    # Flask-Login protocol
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.user.is_active

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_version}"

    @property
    def id(self) -> int:
        assert self.user.id is not None
        return self.user.id

    @property
    def memberships_key(self) -> tuple[tuple[str, int, int, int], ...]:
        """What the memberships grant, hashable: the same key, the same menu."""
        return tuple(
            sorted(
                (
                    str(m.role),
                    m.municipality_id or 0,
                    m.association_id or 0,
                    m.sponsor_id or 0,
                )
                for m in self.memberships
            )
        )

    # Role queries used by the policy layer and navigation
    def has_role(self, role: Role) -> bool:
        return any(m.role == role for m in self.memberships)

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    def municipality_ids(self, role: Role = Role.COORDINATOR) -> set[int]:
        return {m.municipality_id for m in self.memberships if m.role == role and m.municipality_id}

    def association_ids(self, role: Role = Role.LEADER) -> set[int]:
        return {m.association_id for m in self.memberships if m.role == role and m.association_id}

    def sponsor_ids(self) -> set[int]:
        return {
            m.sponsor_id
            for m in self.memberships
            if m.role == Role.SPONSOR_LIAISON and m.sponsor_id
        }


#: The statement of ``load_identity``, built once (building it cost more than running it).
_WITH_MEMBERSHIPS = (
    select(User, Membership)
    .outerjoin(Membership, col(Membership.user_id) == User.id)
    .where(col(User.id) == bindparam("user_id"))
    .order_by(col(Membership.id))
)


def load_identity(session: Session, login_id: str) -> Identity | None:
    user_part, _, version_part = login_id.partition(":")
    if not user_part.isdigit() or not version_part.isdigit():
        return None
    # One round trip for the person and their memberships: every signed-in request asks.
    rows = session.exec(_WITH_MEMBERSHIPS, params={"user_id": int(user_part)}).all()
    if not rows:
        return None
    user = rows[0][0]
    if not user.is_active or user.session_version != int(version_part):
        return None
    memberships = [membership for _, membership in rows if membership is not None]
    return Identity(user=user, memberships=memberships, language=user.language)
