"""Inviting staff (coordinators, sponsor liaisons) and accepting an invitation.

An invitation changes no account by itself. The role waits as a ``PendingRole`` until the
person opens the link e-mailed to the address, which proves the address is theirs. The
inviting admin gets the same answer whether or not the address already has an account, and
never sees the link. An account without a password that has a mobile number belongs to that
number (its e-mail may have been typed by a leader and proves nothing): giving it a password
also needs the code sent to its number. Flush only; the edge commits.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from .. import tokens
from ..audit.services import record
from ..errors import RuleViolation
from ..i18n import _, _l
from ..mail.services import queue_email
from . import verification
from .models import (
    AccessToken,
    Membership,
    PendingRole,
    Role,
    TokenPurpose,
    User,
    VerificationPurpose,
)
from .services import find_by_email, grant, normalize_email, set_password, user_for_link


def _holds(session: Session, user: User, role: Role, scope: dict[str, int | None]) -> bool:
    return (
        session.exec(
            select(Membership.id).where(
                Membership.user_id == user.id,
                Membership.role == role,
                Membership.municipality_id == scope["municipality_id"],
                Membership.association_id == scope["association_id"],
                Membership.sponsor_id == scope["sponsor_id"],
            )
        ).first()
        is not None
    )


def _offered(session: Session, user: User, role: Role, scope: dict[str, int | None]) -> bool:
    return (
        session.exec(
            select(PendingRole.id).where(
                PendingRole.user_id == user.id,
                PendingRole.role == role,
                PendingRole.municipality_id == scope["municipality_id"],
                PendingRole.association_id == scope["association_id"],
                PendingRole.sponsor_id == scope["sponsor_id"],
            )
        ).first()
        is not None
    )


def invite_staff(
    session: Session,
    *,
    name: str,
    email: str,
    role: Role,
    base_url: str,
    hours: int,
    municipality_id: int | None = None,
    association_id: int | None = None,
    sponsor_id: int | None = None,
) -> tuple[User, str]:
    """Offer ``role`` to the holder of ``email`` (a new account if nobody has it) and e-mail
    them a link. Returns the account and the link, for tests; views show neither."""
    address = normalize_email(email)
    typed_name = " ".join(name.split())[:120]
    scope = {
        "municipality_id": municipality_id,
        "association_id": association_id,
        "sponsor_id": sponsor_id,
    }
    user = find_by_email(session, address)
    if user is None:
        user = User(name=typed_name, email=address)
        session.add(user)
        session.flush()
    if not _holds(session, user, role, scope) and not _offered(session, user, role, scope):
        session.add(
            PendingRole(
                user_id=user.id,  # type: ignore[arg-type]
                role=role,
                invited_name=typed_name,
                invited_email=address,
                municipality_id=municipality_id,
                association_id=association_id,
                sponsor_id=sponsor_id,
            )
        )
        session.flush()
    raw = tokens.issue(
        session, TokenPurpose.INVITATION, user_id=user.id, ttl=timedelta(hours=hours)
    )
    url = f"{base_url.rstrip('/')}/invitation/{raw}"
    queue_email(
        session,
        to_address=address,
        to_name=typed_name,
        subject=str(_l("Inbjudan till Nattvandring")),
        body_text=str(
            _l(
                "Hej %(name)s!\n\nDu har bjudits in till Nattvandring. Öppna länken för att "
                "tacka ja (den gäller i %(hours)d timmar och kan användas en gång):\n%(url)s\n",
                name=typed_name,
                hours=hours,
                url=url,
            )
        ),
        kind="invitation",
    )
    return user, url


def sent_message(email: str) -> str:
    """The inviting admin's answer: the same whether or not the address has an account."""
    return _(
        "Inbjudan är skickad till %(email)s. Rollen gäller när personen har tackat ja med "
        "länken i e-postmeddelandet.",
        email=normalize_email(email),
    )


def offered(session: Session, **scope: int) -> list[PendingRole]:
    """Roles offered in a tenant and not yet accepted, as the admin typed them."""
    query = select(PendingRole)
    for key, value in scope.items():
        query = query.where(getattr(PendingRole, key) == value)
    return list(session.exec(query.order_by(col(PendingRole.invited_name))))


def needs_code(user: User) -> bool:
    """An account without a password that has a mobile number belongs to that number."""
    return user.password_hash is None and user.phone_e164 is not None


def send_claim_code(session: Session, user: User) -> None:
    if needs_code(user):
        verification.send_code(
            session,
            VerificationPurpose.CLAIM,
            to_e164=user.phone_e164,  # type: ignore[arg-type]
            language=user.language,
            user_id=user.id,
        )


def pending_claim(session: Session, user: User):
    return verification.live(session, VerificationPurpose.CLAIM, user_id=user.id)


def _grant_offered(session: Session, user: User) -> int:
    rows = list(session.exec(select(PendingRole).where(PendingRole.user_id == user.id)))
    for row in rows:
        grant(
            session,
            user,
            Role(row.role),
            municipality_id=row.municipality_id,
            association_id=row.association_id,
            sponsor_id=row.sponsor_id,
        )
        record(
            session,
            actor_id=user.id,
            action="invitation.accepted",
            object_type="user",
            object_id=user.id,
            municipality_id=row.municipality_id,
            association_id=row.association_id,
            details=f"role={row.role}",
        )
        session.delete(row)
    session.flush()
    return len(rows)


def _link_invalid() -> RuleViolation:
    return RuleViolation("link_invalid", _l("Länken är ogiltig, redan använd eller för gammal."))


def accept(session: Session, raw: str, *, new_password: str | None, code: str | None) -> User:
    """Use an invitation link once: the offered roles become the account's.

    An account with a password keeps it (the link proves the address); one without gets
    ``new_password``, after the code sent to its number if it has one.
    """
    found = user_for_link(session, TokenPurpose.INVITATION, raw)
    if found is None:
        raise _link_invalid()
    user, token = found
    # One use of the link, also when the form is sent twice at once.
    token = session.exec(
        select(AccessToken)
        .where(AccessToken.id == token.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if token.used_at is not None or token.revoked_at is not None:
        raise _link_invalid()
    if user.password_hash is None:
        if needs_code(user):
            proof = pending_claim(session, user)
            if not verification.code_matches(proof, code):
                raise RuleViolation(
                    "code_wrong",
                    _l("Koden stämmer inte eller har gått ut. Be om en ny kod."),
                    field="code",
                )
            verification.mark_verified(proof)
        if not new_password:
            raise _link_invalid()
        set_password(user, new_password)
    tokens.consume(token)
    # Every link of this kind went to the same address: one of them is proof enough.
    tokens.revoke(session, TokenPurpose.INVITATION, user_id=user.id)
    _grant_offered(session, user)
    return user
