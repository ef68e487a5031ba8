"""Test data builders. Everything gets the same known password."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from functools import cache
from itertools import count

from sqlmodel import Session

from nattvandring.accounts.models import Role, User
from nattvandring.accounts.services import grant
from nattvandring.associations.models import Association
from nattvandring.associations.validation import with_check_digit
from nattvandring.municipalities.models import Municipality
from nattvandring.passwords import hash_password
from nattvandring.planning.models import PatrolArea
from nattvandring.sponsorship.models import Sponsor

PASSWORD = "correct-horse-battery"


@cache
def _password_hash() -> str:
    """The one hash of PASSWORD every person gets, made on first use (after the suite's
    plugin chose argon2's parameters)."""
    return hash_password(PASSWORD)


_serial = count(1)
# Places and associations exist before any clock a test freezes, as they would in real life:
# otherwise their last change would lie in the test's future and win every LAST-MODIFIED.
SET_UP_AT = datetime(2025, 1, 1, tzinfo=UTC)


def org_number(n: int | None = None) -> str:
    digits = with_check_digit(f"8024{(n or next(_serial)):05d}")
    return f"{digits[:6]}-{digits[6:]}"


def bankgiro(n: int | None = None) -> str:
    digits = with_check_digit(f"50{(n or next(_serial)) % 10000:04d}")
    return f"{digits[:-4]}-{digits[-4:]}"


def phone(n: int | None = None) -> str:
    return f"+4670{(n or next(_serial)) % 10_000_000:07d}"


def user(session: Session, name: str, *, email: str | None = None, **fields) -> User:
    person = User(
        name=name, email=email, password_hash=_password_hash() if email else None, **fields
    )
    session.add(person)
    session.flush()
    return person


def municipality(session: Session, name: str) -> Municipality:
    row = Municipality(
        name=name, slug=name.lower().replace(" ", "-"), created_at=SET_UP_AT, updated_at=SET_UP_AT
    )
    session.add(row)
    session.flush()
    return row


def area(session: Session, municipality_row: Municipality, name: str = "Centrum") -> PatrolArea:
    row = PatrolArea(
        municipality_id=municipality_row.id,
        name=name,
        meeting_point=f"{name} torget",
        latitude=56.15,
        longitude=13.76,
        default_start=time(21),
        default_end=time(1),
        created_at=SET_UP_AT,
        updated_at=SET_UP_AT,
    )
    session.add(row)
    session.flush()
    return row


def association(
    session: Session, municipality_row: Municipality, name: str, *, status: str = "approved"
) -> Association:
    row = Association(
        municipality_id=municipality_row.id,
        name=name,
        org_number=org_number(),
        account_type="bankgiro",
        account_number=bankgiro(),
        contact_name=f"Kontakt {name}",
        contact_email=f"kontakt{next(_serial)}@example.org",
        contact_phone=phone(),
        status=status,
        created_at=SET_UP_AT,
        updated_at=SET_UP_AT,
    )
    session.add(row)
    session.flush()
    return row


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)


def build_world(session: Session) -> World:
    """Hässleholm (A, B) and Bjuv (C); coordinators, leaders, volunteers, an admin, a sponsor."""
    world = World()
    hassleholm = municipality(session, "Hässleholm")
    bjuv = municipality(session, "Bjuv")
    world.ids.update(hassleholm=hassleholm.id, bjuv=bjuv.id)
    world.ids["area_h"] = area(session, hassleholm).id
    world.ids["area_b"] = area(session, bjuv, "Bjuv centrum").id
    assoc_a = association(session, hassleholm, "IFK Hässleholm")
    assoc_b = association(session, hassleholm, "Scoutkåren")
    assoc_c = association(session, bjuv, "Bjuvs IF")
    world.ids.update(assoc_a=assoc_a.id, assoc_b=assoc_b.id, assoc_c=assoc_c.id)

    def staff(key: str, role: Role, **scope: int | None) -> None:
        email = f"{key}@example.org"
        person = user(session, key.replace("_", " ").title(), email=email, phone_e164=phone())
        grant(session, person, role, **scope)
        world.ids[key] = person.id
        world.emails[key] = email

    staff("admin", Role.ADMIN)
    staff("coord_h", Role.COORDINATOR, municipality_id=hassleholm.id)
    staff("coord_b", Role.COORDINATOR, municipality_id=bjuv.id)
    staff("leader_a", Role.LEADER, association_id=assoc_a.id)
    staff("leader_b", Role.LEADER, association_id=assoc_b.id)
    staff("leader_c", Role.LEADER, association_id=assoc_c.id)
    sponsor = Sponsor(name="Försäkringsbolaget", org_number=org_number())
    session.add(sponsor)
    session.flush()
    world.ids["sponsor"] = sponsor.id
    staff("liaison", Role.SPONSOR_LIAISON, sponsor_id=sponsor.id)
    for key, assoc in (
        ("vol_a", assoc_a),
        ("vol_a2", assoc_a),
        ("vol_b", assoc_b),
        ("vol_c", assoc_c),
    ):
        person = user(session, key.replace("_", " ").title(), phone_e164=phone(), birth_year=1980)
        grant(session, person, Role.VOLUNTEER, association_id=assoc.id)
        world.ids[key] = person.id
    return world


def login(client, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password})
