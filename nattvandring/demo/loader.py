"""Loads the demo: three municipalities, ten associations, leaders, volunteers and staff."""

from __future__ import annotations

import itertools

from sqlmodel import Session, select

from ..accounts.models import Role, User
from ..accounts.services import grant
from ..associations.models import Association, AssociationStatus
from ..associations.validation import with_check_digit
from ..calendars.changes import recorded_at_the_end
from ..clock import utcnow
from ..discovery import area_modules
from ..municipalities.models import Municipality
from ..municipalities.services import slugify
from ..passwords import hash_password
from ..planning.models import PatrolArea
from ..sponsorship.models import Sponsor
from . import data

DEMO_PASSWORD = "nattvandring-demo"  # noqa: S105 - printed on purpose, demo only


def _email(local: str) -> str:
    return f"{slugify(local).replace('-', '.')}@{data.DOMAIN}"


def _staff(session: Session, name: str, email: str, password_hash: str) -> User:
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        user = User(name=name, email=email, password_hash=password_hash)
        session.add(user)
        session.flush()
    return user


def load_demo(session: Session, *, if_empty: bool = False, scale: int = 0):
    """Create the demo (idempotent); returns [(role, e-mail)] or None when nothing was done."""
    if if_empty and session.exec(select(Municipality)).first() is not None:
        return None
    password_hash = hash_password(DEMO_PASSWORD)
    logins: list[tuple[str, str]] = []

    admin = _staff(session, "Alva Admin", _email("admin"), password_hash)
    grant(session, admin, Role.ADMIN)
    logins.append(("admin", admin.email or ""))

    municipalities: dict[str, Municipality] = {}
    for name, areas in data.MUNICIPALITIES:
        municipality = session.exec(select(Municipality).where(Municipality.name == name)).first()
        if municipality is None:
            municipality = Municipality(name=name, slug=slugify(name))
            session.add(municipality)
            session.flush()
        municipalities[name] = municipality
        for area_name, meeting, lat, lon, start, end in areas:
            exists = session.exec(
                select(PatrolArea).where(
                    PatrolArea.municipality_id == municipality.id, PatrolArea.name == area_name
                )
            ).first()
            if exists is None:
                assert municipality.id is not None
                session.add(
                    PatrolArea(
                        municipality_id=municipality.id,
                        name=area_name,
                        meeting_point=meeting,
                        latitude=lat,
                        longitude=lon,
                        description=f"Vandring i {area_name} med start vid {meeting}.",
                        default_start=start,
                        default_end=end,
                    )
                )
        coordinator = _staff(
            session, f"Samordnare {name}", _email(f"samordnare {name}"), password_hash
        )
        grant(session, coordinator, Role.COORDINATOR, municipality_id=municipality.id)
        logins.append((f"coordinator ({name})", coordinator.email or ""))

    phones = itertools.count(data.FICTION_PHONE_START)
    names = itertools.product(data.VOLUNTEER_FIRST, data.VOLUNTEER_LAST)
    for index, (municipality_name, association_name, contact) in enumerate(data.ASSOCIATIONS):
        municipality = municipalities[municipality_name]
        association = session.exec(
            select(Association).where(Association.name == association_name)
        ).first()
        if association is None:
            assert municipality.id is not None
            association = Association(
                municipality_id=municipality.id,
                name=association_name,
                org_number=_format_orgnr(with_check_digit(f"80241{index:04d}")),
                account_type="bankgiro",
                account_number=_format_bankgiro(with_check_digit(f"50{index:04d}")),
                contact_name=contact,
                contact_email=_email(contact),
                contact_phone=f"+4670174{next(phones):04d}",
                # The last association of each municipality still waits for approval.
                status=AssociationStatus.PENDING
                if index in (3, 6, 9)
                else AssociationStatus.APPROVED,
                allow_self_signup=index % 2 == 0,
                approved_at=None if index in (3, 6, 9) else utcnow(),
            )
            session.add(association)
            session.flush()
        else:
            next(phones)
        leader = _staff(session, contact, association.contact_email, password_hash)
        leader.phone_e164 = leader.phone_e164 or association.contact_phone
        grant(session, leader, Role.LEADER, association_id=association.id)
        grant(session, leader, Role.VOLUNTEER, association_id=association.id)
        logins.append((f"leader ({association_name})", leader.email or ""))
        for member in range(data.VOLUNTEERS_PER_ASSOCIATION):
            first, last = next(names)
            phone = f"+4670174{next(phones):04d}"
            volunteer = session.exec(select(User).where(User.phone_e164 == phone)).first()
            if volunteer is None:
                volunteer = User(
                    name=f"{first} {last}",
                    phone_e164=phone,
                    birth_year=1968 + (index * 7 + member * 5) % 30,
                    language="en" if member == 5 and index == 0 else "sv",
                )
                session.add(volunteer)
                session.flush()
            grant(session, volunteer, Role.VOLUNTEER, association_id=association.id)

    sponsor_name, sponsor_orgnr = data.SPONSOR
    sponsor = session.exec(select(Sponsor).where(Sponsor.name == sponsor_name)).first()
    if sponsor is None:
        sponsor = Sponsor(name=sponsor_name, org_number=_format_orgnr(sponsor_orgnr))
        session.add(sponsor)
        session.flush()
    liaison = _staff(session, "Stina Sponsor", _email("sponsor"), password_hash)
    grant(session, liaison, Role.SPONSOR_LIAISON, sponsor_id=sponsor.id)
    logins.append(("sponsor liaison", liaison.email or ""))

    # Each area may add its own demo data in a ``demo_data`` module (ORDER decides the order).
    with recorded_at_the_end(session):
        for step in sorted(area_modules("demo_data"), key=lambda module: module.ORDER):
            session.flush()
            step.load(session)

    if scale:
        from .scale import generate

        generate(session, municipalities=scale, password_hash=password_hash)
    session.flush()
    return logins


def _format_orgnr(digits: str) -> str:
    return f"{digits[:6]}-{digits[6:]}"


def _format_bankgiro(digits: str) -> str:
    return f"{digits[:-4]}-{digits[-4:]}"


def demo_logins() -> list[tuple[str, str]]:
    """The demo's staff logins, as ``load_demo`` creates them."""
    logins = [("admin", _email("admin"))]
    logins += [
        (f"coordinator ({name})", _email(f"samordnare {name}")) for name, _ in data.MUNICIPALITIES
    ]
    logins += [(f"leader ({name})", _email(contact)) for _, name, contact in data.ASSOCIATIONS]
    logins.append(("sponsor liaison", _email("sponsor")))
    return logins
