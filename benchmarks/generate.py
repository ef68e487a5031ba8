"""Fill a database at benchmark scale: a region (or the whole country) with one year of walks.

    python -m benchmarks.generate --database-url URL [--municipalities 30]

The schema is built with the real migrations (``nattvandring.migrate.upgrade``), so gunicorn
accepts the database. People and associations come from ``nattvandring.demo.scale`` (10
associations of 20 volunteers per municipality, one coordinator, one leader per
association, all staff with the demo password below); this module adds one year of Friday
and Saturday shifts in every patrol area (half a year back, half a year ahead), a booking
for four shifts of five, and four walkers from the booking association on every booking.
Reports, walkers and hours-ledger rows for every past booking, a sponsor with an agreement, a
liaison and a draft payout run, and an administrator come from ``benchmarks.generate_reports``.
Everything is inserted in bulk (multi-row INSERT ... RETURNING), a few statements per
municipality; on PostgreSQL an ANALYZE then gives the planner the statistics that autovacuum
keeps in a live database.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from datetime import date, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy import insert, select, text
from sqlmodel import Session

from benchmarks.generate_reports import SPONSOR_EMAIL, admin, reports_for, sponsor_with_run
from nattvandring import stable_links
from nattvandring.accounts.models import Membership, Role, TokenPurpose
from nattvandring.associations.models import Association
from nattvandring.booking.models import Assignment, Booking
from nattvandring.clock import local_to_utc, to_local, utcnow
from nattvandring.db import make_engine
from nattvandring.demo import scale
from nattvandring.migrate import upgrade
from nattvandring.municipalities.models import Municipality
from nattvandring.passwords import hash_password
from nattvandring.planning.models import PatrolArea, Shift

PASSWORD = "benchmark-lösenord-2026"
WALKERS_PER_BOOKING = 4


@dataclass
class Sample:
    """The people and places the load generator visits."""

    municipality_id: int
    slug: str
    coordinator_email: str
    association_id: int
    leader_email: str
    volunteer_id: int
    personal_page: str  # raw token
    personal_feed: str  # raw token
    admin_email: str
    sponsor_email: str
    run_id: int  # the sponsor's draft payout run
    booking_id: int  # an upcoming booking of the association (its walking group)
    counts: dict[str, int]
    seconds: float


def _evenings(today: date) -> list[date]:
    """Every Friday and Saturday from half a year back to half a year ahead."""
    day, last, result = today - timedelta(days=182), today + timedelta(days=182), []
    while day <= last:
        if day.weekday() in (4, 5):
            result.append(day)
        day += timedelta(days=1)
    return result


def _returning_ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(session.execute(statement, rows).scalars())


def _year_for(session: Session, municipality_id: int, evenings: list[date]) -> dict[str, int]:
    """Shifts, bookings and walkers of one municipality for the year of ``evenings``."""
    now = utcnow()
    areas = session.execute(
        select(PatrolArea.id).where(PatrolArea.municipality_id == municipality_id)
    ).scalars()
    areas = sorted(areas)
    clubs = sorted(
        session.execute(
            select(Association.id).where(Association.municipality_id == municipality_id)
        ).scalars()
    )
    members: dict[int, list[int]] = {club: [] for club in clubs}
    for user_id, club in session.execute(
        select(Membership.user_id, Membership.association_id).where(
            Membership.role == Role.VOLUNTEER,
            Membership.association_id.in_(clubs),
        )
    ):
        members[club].append(user_id)
    shift_rows, plan = [], []
    for n, evening in enumerate(evenings):
        start = local_to_utc(evening, clock_time(21))
        end = local_to_utc(evening + timedelta(days=1), clock_time(1))
        for a, area in enumerate(areas):
            slot = n * len(areas) + a
            booked = slot % 5 != 4
            shift_rows.append(
                {
                    "municipality_id": municipality_id,
                    "area_id": area,
                    "series_id": None,
                    "start_at": start,
                    "end_at": end,
                    "min_walkers": 3,
                    "max_walkers": 6,
                    "min_age": 18,
                    "status": "booked" if booked else "planned",
                    "special_key": None,
                    "notes": "",
                    "sequence": 0,
                    "updated_at": now,
                    "cancel_reason": "",
                    "created_at": now,
                }
            )
            plan.append((booked, clubs[slot % len(clubs)], slot))
    shift_ids = _returning_ids(session, Shift, shift_rows)
    booked = [
        (sid, club, slot) for sid, (ok, club, slot) in zip(shift_ids, plan, strict=True) if ok
    ]
    booking_ids = _returning_ids(
        session,
        Booking,
        [
            {
                "shift_id": sid,
                "association_id": club,
                "status": "active",
                "active_key": 1,
                "cancel_reason": "",
                "created_at": now,
            }
            for sid, club, _ in booked
        ],
    )
    assignments = []
    for booking_id, (sid, club, slot) in zip(booking_ids, booked, strict=True):
        people = members[club]
        first = (slot // len(clubs)) * WALKERS_PER_BOOKING
        for k in range(min(WALKERS_PER_BOOKING, len(people))):
            assignments.append(
                {
                    "shift_id": sid,
                    "booking_id": booking_id,
                    "user_id": people[(first + k) % len(people)],
                    "status": "assigned",
                    "self_signed_up": False,
                    "created_at": now,
                }
            )
    if assignments:
        session.execute(insert(Assignment), assignments)
    return {"shifts": len(shift_ids), "bookings": len(booking_ids), "walkers": len(assignments)}


def generate(
    url: str,
    *,
    municipalities: int,
    secret_key: str,
    migrate: bool = True,
    associations: int | None = None,
) -> Sample:
    """Build the schema (migrations) and fill it; returns what the load generator needs."""
    started = time.perf_counter()
    engine = make_engine(url)
    if migrate:
        upgrade(engine)
    counts = {
        "municipalities": municipalities,
        "shifts": 0,
        "bookings": 0,
        "walkers": 0,
        "reports": 0,
        "ledger_rows": 0,
    }
    evenings = _evenings(to_local(utcnow()).date())
    password_hash = hash_password(PASSWORD)
    with Session(engine) as session:
        created = scale.generate(
            session,
            municipalities=municipalities,
            password_hash=password_hash,
            associations=associations,
        )
        session.commit()
        for municipality_id in created:
            for key, value in _year_for(session, municipality_id, evenings).items():
                counts[key] += value
            for key, value in reports_for(session, municipality_id).items():
                counts[key] += value
            session.commit()
        people = {
            "admin_email": admin(session, password_hash),
            "run_id": sponsor_with_run(session, created[0], password_hash),
            "sponsor_email": SPONSOR_EMAIL,
        }
        session.commit()
        sample = _sample(session, created[0], secret_key) | people
        session.commit()
        counts["associations"] = len(
            session.execute(
                select(Association.id).where(Association.municipality_id.in_(created))
            ).all()
        )
        counts["volunteers"] = len(
            session.execute(select(Membership.id).where(Membership.role == Role.VOLUNTEER)).all()
        )
    if engine.dialect.name == "postgresql":
        # A live database has planner statistics (autovacuum gathers them); right after bulk
        # inserts it has none, and PostgreSQL would plan the pages' queries for empty tables.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    engine.dispose()
    return Sample(**sample, counts=counts, seconds=time.perf_counter() - started)


def _sample(session: Session, municipality_id: int, secret_key: str) -> dict[str, Any]:
    town = session.get(Municipality, municipality_id)
    assert town is not None
    coordinator = session.execute(
        select(Membership.user_id).where(
            Membership.role == Role.COORDINATOR, Membership.municipality_id == municipality_id
        )
    ).scalar_one()
    club = (
        session.execute(
            select(Association)
            .where(Association.municipality_id == municipality_id)
            .order_by(Association.id)
        )
        .scalars()
        .first()
    )
    assert club is not None
    walker = (
        session.execute(
            select(Assignment.user_id)
            .join(Booking, Booking.id == Assignment.booking_id)
            .where(Booking.association_id == club.id)
            .order_by(Assignment.id)
        )
        .scalars()
        .first()
    )
    from nattvandring.accounts.models import User

    upcoming = (
        session.execute(
            select(Booking.id)
            .join(Shift, Shift.id == Booking.shift_id)
            .where(Booking.association_id == club.id, Shift.start_at > utcnow())
            .order_by(Shift.start_at)
        )
        .scalars()
        .first()
    )
    coordinator_user = session.get(User, coordinator)
    assert coordinator_user is not None and walker is not None
    return {
        "municipality_id": municipality_id,
        "slug": town.slug,
        "coordinator_email": coordinator_user.email,
        "association_id": club.id,
        "leader_email": club.contact_email,
        "booking_id": upcoming,
        "volunteer_id": walker,
        "personal_page": stable_links.stable_link(
            session, TokenPurpose.PERSONAL_PAGE, secret_key=secret_key, user_id=walker
        ),
        "personal_feed": stable_links.stable_link(
            session, TokenPurpose.PERSONAL_FEED, secret_key=secret_key, user_id=walker
        ),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--municipalities", type=int, default=30)
    parser.add_argument("--secret-key", default="benchmark-secret-key-0123456789abcdefghij")
    args = parser.parse_args(argv)
    sample = generate(
        args.database_url, municipalities=args.municipalities, secret_key=args.secret_key
    )
    print(f"generated in {sample.seconds:.1f} s: {sample.counts}")


if __name__ == "__main__":
    main()
