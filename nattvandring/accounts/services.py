"""Account operations: authenticate, passwords, roles and resets. They flush, never commit.

Invitations are in ``invitations``, proofs of a number or address in ``verification``.
"""

from __future__ import annotations

from datetime import timedelta

import phonenumbers
from sqlmodel import Session, select

from .. import tokens
from ..clock import utcnow
from ..errors import RuleViolation
from ..i18n import _l
from ..mail.services import queue_email
from ..passwords import hash_password, needs_rehash, verify_password
from .models import AccessToken, Membership, Role, TokenPurpose, User


def normalize_email(email: str) -> str:
    return email.strip().lower()


def normalize_phone(raw: str) -> str:
    """Any common Swedish or international format to E.164, or a RuleViolation."""
    text = (raw or "").strip()
    if not text:  # not "Ogiltigt mobilnummer: " with nothing after it
        raise RuleViolation(
            "phone_missing", _l("Mobilnummer saknas. Skriv ett svenskt mobilnummer."), field="phone"
        )
    try:
        number = phonenumbers.parse(text, "SE")
    except phonenumbers.NumberParseException as exc:
        raise RuleViolation(
            "phone_invalid", _l("Ogiltigt mobilnummer: %(value)s", value=text[:40]), field="phone"
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise RuleViolation(
            "phone_invalid", _l("Ogiltigt mobilnummer: %(value)s", value=text[:40]), field="phone"
        )
    kind = phonenumbers.number_type(number)
    if kind not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise RuleViolation(
            "phone_not_mobile",
            _l("Numret %(value)s är inte ett mobilnummer.", value=text[:40]),
            field="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def find_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalize_email(email))).first()


def authenticate(session: Session, *, email: str, password: str) -> int | None:
    """The user id for a correct e-mail and password, or None; writes nothing.

    Unknown users cost the same argon2 time as known ones. Callers run this in a read-only
    session, so that the slow hashing never holds SQLite's write lock.
    """
    user = find_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        return None
    return user.id


def record_login(user: User, password: str) -> None:
    """Note the login, and upgrade the stored hash if argon2's parameters have changed."""
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()


def set_password(user: User, new_password: str) -> None:
    """Set a password and end every other session (the login id carries the version)."""
    user.password_hash = hash_password(new_password)
    user.session_version += 1


def change_password(user: User, *, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise RuleViolation(
            "wrong_password", _l("Nuvarande lösenord stämmer inte."), field="current_password"
        )
    set_password(user, new)


def end_all_sessions(user: User) -> None:
    user.session_version += 1


def grant(
    session: Session,
    user: User,
    role: Role,
    *,
    municipality_id: int | None = None,
    association_id: int | None = None,
    sponsor_id: int | None = None,
) -> Membership:
    """Give ``user`` a role in a tenant; granting an existing role returns the existing row."""
    existing = session.exec(
        select(Membership).where(
            Membership.user_id == user.id,
            Membership.role == role,
            Membership.municipality_id == municipality_id,
            Membership.association_id == association_id,
            Membership.sponsor_id == sponsor_id,
        )
    ).first()
    if existing:
        return existing
    assert user.id is not None, "grant a role to a saved account"
    membership = Membership(
        user_id=user.id,
        role=role,
        municipality_id=municipality_id,
        association_id=association_id,
        sponsor_id=sponsor_id,
    )
    session.add(membership)
    session.flush()
    return membership


def request_password_reset(session: Session, *, email: str, base_url: str, hours: int) -> None:
    """Queue a reset link if a login with this address exists; the caller answers the same
    either way.

    Only an account that already has a password gets one: a volunteer's e-mail may have been
    typed by a leader, and a reset must never turn someone else's address into a login to
    that person's data.
    """
    user = find_by_email(session, email)
    if user is None or not user.is_active or user.anonymized_at or user.password_hash is None:
        return
    raw = tokens.issue(
        session, TokenPurpose.PASSWORD_RESET, user_id=user.id, ttl=timedelta(hours=hours)
    )
    url = f"{base_url.rstrip('/')}/reset/{raw}"
    queue_email(
        session,
        to_address=user.email or "",
        to_name=user.name,
        subject=str(_l("Återställ ditt lösenord")),
        body_text=str(
            _l(
                "Hej %(name)s!\n\nÅterställ ditt lösenord här (länken gäller i %(hours)d timmar "
                "och kan användas en gång):\n%(url)s\n\nBad du inte om detta kan du bortse "
                "från meddelandet.\n",
                name=user.name,
                hours=hours,
                url=url,
            )
        ),
        kind="password_reset",
    )


def user_for_link(
    session: Session, purpose: TokenPurpose, raw: str
) -> tuple[User, AccessToken] | None:
    token = tokens.resolve(session, purpose, raw)
    if token is None or token.user_id is None:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    return user, token


def complete_link(session: Session, purpose: TokenPurpose, raw: str, new_password: str) -> User:
    """Use an invitation or reset link once: set the password and burn the token."""
    found = user_for_link(session, purpose, raw)
    if found is None:
        raise RuleViolation("link_invalid", _l("Länken är ogiltig, redan använd eller för gammal."))
    user, token = found
    set_password(user, new_password)
    tokens.consume(token)
    # Any other outstanding link of the same purpose dies with this one.
    tokens.revoke(session, purpose, user_id=user.id)
    return user
