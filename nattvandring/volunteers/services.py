"""Members of an association (volunteers without passwords) and their personal links.

Same mobile number = same person: adding a member whose number is known reuses that user and
only adds a volunteer membership; the stored person is not changed by another association.
Flush only; the edge commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from .. import tokens
from ..accounts.models import Membership, Role, TokenPurpose, User
from ..accounts.services import grant, normalize_email, normalize_phone
from ..audit.services import record
from ..clock import utcnow
from ..errors import RuleViolation
from ..i18n import _l

MIN_BIRTH_YEAR = 1900


@dataclass(frozen=True)
class MemberInput:
    name: str
    phone: str
    email: str = ""
    birth_year: int | None = None


@dataclass(frozen=True)
class CleanMember:
    name: str
    phone_e164: str
    email: str | None
    birth_year: int | None


def clean(data: MemberInput, *, today: date | None = None) -> CleanMember:
    """Validated, normalized member data or the first RuleViolation (with its field)."""
    name = " ".join((data.name or "").split())
    if not name:
        raise RuleViolation("name_required", _l("Ange namn."), field="name")
    if len(name) > 120:
        raise RuleViolation("name_too_long", _l("Namnet är för långt."), field="name")
    phone = normalize_phone(data.phone)
    email = normalize_email(data.email) if (data.email or "").strip() else None
    if email is not None and ("@" not in email or len(email) > 254 or " " in email):
        raise RuleViolation(
            "email_invalid", _l("Ogiltig e-postadress: %(value)s", value=email[:60]), field="email"
        )
    year = data.birth_year
    this_year = (today or utcnow().date()).year
    if year is not None and not MIN_BIRTH_YEAR <= year <= this_year:
        raise RuleViolation(
            "birth_year_invalid",
            _l("Födelseåret måste vara mellan %(low)s och %(high)s.", low=1900, high=this_year),
            field="birth_year",
        )
    return CleanMember(name=name, phone_e164=phone, email=email, birth_year=year)


def find_by_phone(session: Session, phone_e164: str) -> User | None:
    return session.exec(select(User).where(User.phone_e164 == phone_e164)).first()


def volunteer_membership(session: Session, association_id: int, user_id: int) -> Membership | None:
    return session.exec(
        select(Membership).where(
            Membership.association_id == association_id,
            Membership.user_id == user_id,
            Membership.role == Role.VOLUNTEER,
        )
    ).first()


def members_of(session: Session, association_id: int) -> list[User]:
    return list(
        session.exec(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.association_id == association_id, Membership.role == Role.VOLUNTEER)
            .order_by(User.name, User.id)
        )
    )


def add_member(
    session: Session,
    *,
    association_id: int,
    municipality_id: int | None,
    data: MemberInput | CleanMember,
    actor_id: int | None,
) -> tuple[User, bool]:
    """Add a volunteer; returns (user, created). Refuses ``already_member``."""
    member = data if isinstance(data, CleanMember) else clean(data)
    user = find_by_phone(session, member.phone_e164)
    created = user is None
    if user is None:
        if member.email and session.exec(select(User).where(User.email == member.email)).first():
            raise RuleViolation(
                "email_taken",
                _l("E-postadressen hör redan till en annan person."),
                field="email",
            )
        user = User(
            name=member.name,
            phone_e164=member.phone_e164,
            email=member.email,
            birth_year=member.birth_year,
        )
        session.add(user)
        session.flush()
    elif volunteer_membership(session, association_id, user.id):  # type: ignore[arg-type]
        raise RuleViolation(
            "already_member",
            _l("%(name)s är redan medlem (samma mobilnummer).", name=user.name),
            field="phone",
        )
    grant(session, user, Role.VOLUNTEER, association_id=association_id)
    record(
        session,
        actor_id=actor_id,
        action="member.added",
        object_type="user",
        object_id=user.id,
        municipality_id=municipality_id,
        association_id=association_id,
        details="new person" if created else "existing person (same mobile number)",
    )
    return user, created


def update_member(
    session: Session,
    user: User,
    data: MemberInput,
    *,
    association_id: int,
    municipality_id: int | None,
    actor_id: int | None,
) -> User:
    """Change a member's stored details.

    People with their own login (a password) keep their mobile and e-mail under their own
    control: a leader may only change name and birth year for them.
    """
    member = clean(data)
    own_account = user.password_hash is not None
    if own_account and (member.phone_e164 != user.phone_e164 or member.email != user.email):
        raise RuleViolation(
            "own_account",
            _l("Personen har ett eget konto och ändrar själv sitt mobilnummer och sin e-post."),
            field="phone",
        )
    clash = find_by_phone(session, member.phone_e164)
    if clash is not None and clash.id != user.id:
        raise RuleViolation(
            "phone_taken", _l("Mobilnumret hör redan till en annan person."), field="phone"
        )
    if member.email:
        other = session.exec(select(User).where(User.email == member.email)).first()
        if other is not None and other.id != user.id:
            raise RuleViolation(
                "email_taken", _l("E-postadressen hör redan till en annan person."), field="email"
            )
    user.name = member.name
    user.phone_e164 = member.phone_e164
    user.email = member.email
    user.birth_year = member.birth_year
    session.add(user)
    session.flush()
    record(
        session,
        actor_id=actor_id,
        action="member.updated",
        object_type="user",
        object_id=user.id,
        municipality_id=municipality_id,
        association_id=association_id,
    )
    return user


def remove_member(
    session: Session,
    user: User,
    *,
    association_id: int,
    municipality_id: int | None,
    actor_id: int | None,
) -> None:
    """End the volunteer membership and take the person off the association's coming walks."""
    from ..booking.locking import lock_association
    from ..booking.services_roster import remove_upcoming_for_member

    lock_association(session, association_id)
    membership = volunteer_membership(session, association_id, user.id)  # type: ignore[arg-type]
    if membership is None:
        raise RuleViolation("not_member", _l("Personen är inte medlem i föreningen."))
    remove_upcoming_for_member(
        session,
        association_id=association_id,
        user_id=user.id,
        actor_id=actor_id,  # type: ignore[arg-type]
    )
    session.delete(membership)
    session.flush()
    record(
        session,
        actor_id=actor_id,
        action="member.removed",
        object_type="user",
        object_id=user.id,
        municipality_id=municipality_id,
        association_id=association_id,
    )


def personal_token(session: Session, user: User, secret_key: tokens.SigningKeys) -> str:
    return tokens.stable_link(
        session, TokenPurpose.PERSONAL_PAGE, secret_key=secret_key, user_id=user.id
    )


def personal_page_url(base_url: str, token: str) -> str:
    """The personal page ("Mina pass") for a raw token: ``<base>/me/<token>``."""
    return f"{base_url.rstrip('/')}/me/{token}"


def personal_url(
    session: Session, user: User, base_url: str, secret_key: tokens.SigningKeys
) -> str:
    """The volunteer's personal page, e.g. for SMS."""
    return personal_page_url(base_url, personal_token(session, user, secret_key))


def rotate_personal_link(
    session: Session, user: User, secret_key: tokens.SigningKeys, *, actor_id: int | None
) -> str:
    """A new personal link; the old one answers 404 from now on. Returns the new token."""
    raw = tokens.rotate_stable_link(
        session, TokenPurpose.PERSONAL_PAGE, secret_key=secret_key, user_id=user.id
    )
    record(
        session,
        actor_id=actor_id,
        action="member.link_rotated",
        object_type="user",
        object_id=user.id,
    )
    return raw


def user_for_personal_token(
    session: Session, raw: str, *, secret_key: tokens.SigningKeys
) -> User | None:
    token = tokens.resolve(session, TokenPurpose.PERSONAL_PAGE, raw, secret_key=secret_key)
    if token is None or token.user_id is None:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active or user.anonymized_at is not None:
        return None
    return user
