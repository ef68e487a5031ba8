"""Builders shared by the booking and volunteer tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from nattvandring.accounts.models import Role
from nattvandring.accounts.services import grant
from nattvandring.planning.models import Shift
from tests import factories

# A Monday morning; the Friday shift below is 4.5 days (108 h) ahead.
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FRIDAY_EVENING = datetime(2026, 11, 6, 20, 0, tzinfo=UTC)  # 21:00 local


def make_shift(
    session: Session,
    *,
    municipality_id: int,
    area_id: int,
    start: datetime = FRIDAY_EVENING,
    hours: int = 4,
    **fields,
) -> Shift:
    shift = Shift(
        municipality_id=municipality_id,
        area_id=area_id,
        start_at=start,
        end_at=start + timedelta(hours=hours),
        **fields,
    )
    session.add(shift)
    session.flush()
    return shift


def volunteer(session: Session, association_id: int, name: str, *, birth_year: int = 1980):
    person = factories.user(session, name, phone_e164=factories.phone(), birth_year=birth_year)
    grant(session, person, Role.VOLUNTEER, association_id=association_id)
    return person


def leader(session: Session, association_id: int, key: str) -> str:
    """A leader with a login; returns the e-mail."""
    email = f"{key}@example.org"
    person = factories.user(session, key, email=email)
    grant(session, person, Role.LEADER, association_id=association_id)
    return email
