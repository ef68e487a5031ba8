"""People and times shared by the booking, volunteer and security tests."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from nattvandring.accounts.models import Role
from nattvandring.accounts.services import grant
from tests import factories

# A Monday morning; the Friday shift below is 4.5 days (108 h) ahead.
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FRIDAY_EVENING = datetime(2026, 11, 6, 20, 0, tzinfo=UTC)  # 21:00 local


def volunteer(session: Session, association_id: int, name: str, *, birth_year: int = 1980):  # type: ignore[no-untyped-def]
    person = factories.user(session, name, phone_e164=factories.phone(), birth_year=birth_year)
    grant(session, person, Role.VOLUNTEER, association_id=association_id)
    return person


def leader(session: Session, association_id: int, key: str) -> str:
    """A leader with a login; returns the e-mail."""
    email = f"{key}@example.org"
    person = factories.user(session, key, email=email)
    grant(session, person, Role.LEADER, association_id=association_id)
    return email
