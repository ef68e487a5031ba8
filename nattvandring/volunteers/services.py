"""Members of an association (volunteers without passwords) and their personal links.

Same mobile number = same person, but a person belongs to themself: adding a member whose
number or e-mail is known only asks that person to join (``services_requests``), shows the
leader nothing of them, and never changes what is stored about them. Flush only; the edge
commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from .. import stable_links, tokens
from ..accounts.models import Membership, PendingRole, Role, TokenPurpose, User
from ..accounts.services import grant, normalize_email, normalize_phone
from ..audit.services import record
from ..clock import utcnow
from ..errors import RuleViolation
from ..i18n import _l
from .models import MembershipRequest

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
            .join(Membership, col(Membership.user_id) == User.id)
            .where(Membership.association_id == association_id, Membership.role == Role.VOLUNTEER)
            .order_by(User.name, col(User.id))
        )
    )


@dataclass(frozen=True)
class Added:
    """What adding a member did: a new member (``user``), or a question to a person who
    already exists (``request``; the leader is shown only what they typed)."""

    user: User | None = None
    request: MembershipRequest | None = None
    created: bool = False


def find_person(session: Session, member: CleanMember) -> User | None:
    """The person the typed details point to: the number's holder, else the e-mail's."""
    found = find_by_phone(session, member.phone_e164)
    if found is None and member.email:
        found = session.exec(select(User).where(User.email == member.email)).first()
    return found


def add_member(
    session: Session,
    *,
    association_id: int,
    municipality_id: int | None,
    data: MemberInput | CleanMember,
    actor_id: int | None,
) -> Added:
    """Add a volunteer. A number or e-mail nobody has makes a new person and member; one that
    belongs to someone (other than the leader themself) only asks that person to join.
    Refuses ``already_member`` without saying who the member is."""
    from ..associations.models import Association
    from .services_requests import ask

    member = data if isinstance(data, CleanMember) else clean(data)
    user = find_person(session, member)
    created = user is None
    if user is None:
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
            "already_member", _l("Personen är redan medlem i föreningen."), field="phone"
        )
    elif user.id != actor_id:
        association = session.get(Association, association_id)
        assert association is not None
        request = ask(
            session,
            association=association,
            user=user,
            name=member.name,
            phone_e164=member.phone_e164,
            email=member.email,
            birth_year=member.birth_year,
            actor_id=actor_id,
        )
        return Added(request=request)
    grant(session, user, Role.VOLUNTEER, association_id=association_id)
    record(
        session,
        actor_id=actor_id,
        action="member.added",
        object_type="user",
        object_id=user.id,
        municipality_id=municipality_id,
        association_id=association_id,
        details="new person" if created else "the leader themself",
    )
    return Added(user=user, created=created)


def belongs_elsewhere(session: Session, user: User, association_id: int) -> bool:
    """Whether the person is more than this association's volunteer: they have a login, or
    a role or membership anywhere else (also one offered by invitation). Such a person's
    number, e-mail and personal link are theirs alone."""
    if user.password_hash is not None:
        return True
    other = session.exec(
        select(Membership.id).where(
            Membership.user_id == user.id,
            (col(Membership.association_id) != association_id)
            | (col(Membership.association_id).is_(None))
            | (Membership.role != Role.VOLUNTEER),
        )
    ).first()
    if other is not None:
        return True
    return (
        session.exec(select(PendingRole.id).where(PendingRole.user_id == user.id)).first()
        is not None
    )


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

    The mobile number and e-mail of a person who belongs elsewhere (another association, a
    login, a staff role) are under their own control: they change them from their personal
    page, proven by a code to the new number. A leader may change only name and birth year.
    """
    member = clean(data)
    if belongs_elsewhere(session, user, association_id) and (
        member.phone_e164 != user.phone_e164 or member.email != user.email
    ):
        raise RuleViolation(
            "own_account",
            _l(
                "Personen är med även på annat håll och ändrar själv sitt mobilnummer och sin "
                "e-post (på sin personliga sida)."
            ),
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
    if member.phone_e164 != user.phone_e164:
        from ..messaging.services import readdress_open_rows

        readdress_open_rows(session, user, member.phone_e164)
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

    assert user.id is not None
    lock_association(session, association_id)
    membership = volunteer_membership(session, association_id, user.id)
    if membership is None:
        raise RuleViolation("not_member", _l("Personen är inte medlem i föreningen."))
    remove_upcoming_for_member(
        session,
        association_id=association_id,
        user_id=user.id,
        actor_id=actor_id,
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
    return stable_links.stable_link(
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


def personal_url_for_read(
    session: Session, user: User, base_url: str, secret_key: tokens.SigningKeys
) -> str:
    """``personal_url`` for a GET: see ``stable_links.stable_link_for_read``."""
    token = stable_links.stable_link_for_read(
        session, TokenPurpose.PERSONAL_PAGE, secret_key=secret_key, user_id=user.id
    )
    return personal_page_url(base_url, token)


def rotate_personal_link(
    session: Session, user: User, secret_key: tokens.SigningKeys, *, actor_id: int | None
) -> str:
    """A new personal link; the old one answers 404 from now on. Returns the new token."""
    raw = stable_links.rotate_stable_link(
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
    user = tokens.resolve_user(session, TokenPurpose.PERSONAL_PAGE, raw, secret_key=secret_key)
    if user is None or not user.is_active or user.anonymized_at is not None:
        return None
    return user
