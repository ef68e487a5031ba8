"""Bulk data for benchmarks: N generated municipalities with areas, associations and people.

Rows are inserted in bulk (one INSERT per table and municipality), so a region of 30
municipalities loads in seconds.
"""

from __future__ import annotations

from datetime import time

from sqlalchemy import func, insert, select
from sqlmodel import Session

from ..accounts.models import Membership, Role, User
from ..associations.models import Association
from ..associations.validation import with_check_digit
from ..clock import utcnow
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea

ASSOCIATIONS_PER_MUNICIPALITY = 10
VOLUNTEERS_PER_ASSOCIATION = 20
AREAS_PER_MUNICIPALITY = 3


def generate(
    session: Session,
    *,
    municipalities: int,
    password_hash: str,
    associations: int | None = None,
) -> list[int]:
    """Add ``municipalities`` generated municipalities; returns their ids.

    ``associations`` is the total to spread over them (default: 10 each), so that a national
    run gets exactly 3 000 associations over 290 municipalities.
    """
    existing = session.exec(select(Municipality.id)).all()
    offset = len(existing)
    total = (
        associations if associations is not None else municipalities * ASSOCIATIONS_PER_MUNICIPALITY
    )
    each, extra = divmod(total, municipalities)
    serial = session.execute(select(func.count()).select_from(Association)).scalar_one()
    now = utcnow()
    created: list[int] = []
    for index, n in enumerate(range(offset, offset + municipalities)):
        municipality = Municipality(name=f"Kommun {n:03d}", slug=f"kommun-{n:03d}")
        session.add(municipality)
        session.flush()
        created.append(municipality.id)  # type: ignore[arg-type]
        session.execute(
            insert(PatrolArea),
            [
                {
                    "municipality_id": municipality.id,
                    "name": f"Område {a + 1}",
                    "meeting_point": f"Mötesplats {a + 1}",
                    "description": "",
                    "default_start": time(21),
                    "default_end": time(1),
                    "default_min_walkers": 3,
                    "default_max_walkers": 6,
                    "min_age": 18,
                    "active": True,
                    "created_at": now,
                }
                for a in range(AREAS_PER_MUNICIPALITY)
            ],
        )
        coordinator = User(
            name=f"Samordnare {n:03d}",
            email=f"samordnare{n:03d}@scale.invalid",
            password_hash=password_hash,
        )
        session.add(coordinator)
        session.flush()
        session.add(
            Membership(
                user_id=coordinator.id, role=Role.COORDINATOR, municipality_id=municipality.id
            )
        )
        for _ in range(each + (1 if index < extra else 0)):
            serial += 1
            digits = with_check_digit(f"8025{serial:05d}")
            association = Association(
                municipality_id=municipality.id,
                name=f"Förening {serial:05d}",
                org_number=f"{digits[:6]}-{digits[6:]}",
                account_type="bankgiro",
                account_number="5050-1055",
                contact_name=f"Ledare {serial:05d}",
                contact_email=f"ledare{serial:05d}@scale.invalid",
                contact_phone=f"+4673{serial:07d}",
                status="approved",
                approved_at=now,
            )
            session.add(association)
            session.flush()
            leader = User(
                name=association.contact_name,
                email=association.contact_email,
                password_hash=password_hash,
            )
            session.add(leader)
            session.flush()
            session.add(
                Membership(user_id=leader.id, role=Role.LEADER, association_id=association.id)
            )
            base = serial * VOLUNTEERS_PER_ASSOCIATION
            phones = [f"+4676{base + v:07d}" for v in range(VOLUNTEERS_PER_ASSOCIATION)]
            session.execute(
                insert(User),
                [
                    {
                        "name": f"Vandrare {base + v:07d}",
                        "phone_e164": phones[v],
                        "birth_year": 1970 + v,
                        "language": "sv",
                        "session_version": 1,
                        "is_active": True,
                        "sms_opt_out": False,
                        "phone_invalid": False,
                        "created_at": now,
                    }
                    for v in range(VOLUNTEERS_PER_ASSOCIATION)
                ],
            )
            ids = session.execute(
                select(User.id).where(User.phone_e164.in_(phones))  # type: ignore[union-attr]
            ).scalars()
            session.execute(
                insert(Membership),
                [
                    {
                        "user_id": uid,
                        "role": Role.VOLUNTEER,
                        "association_id": association.id,
                        "created_at": now,
                    }
                    for uid in ids
                ],
            )
    return created
