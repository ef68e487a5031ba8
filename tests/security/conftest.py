"""A rich world for the security tests: bookings, a report, a payout run, SMS rows, tokens.

``build_rich_world`` extends ``tests.factories.build_world``; ``reset_database`` empties every
table (ids restart at 1), so rebuilding after a request that changed state yields the same ids.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

from nattvandring import clock, tokens
from nattvandring.accounts import verification
from nattvandring.accounts.invitations import invite_staff
from nattvandring.accounts.models import Role, TokenPurpose, User, VerificationPurpose
from nattvandring.accounts.services import grant
from nattvandring.associations.models import RegistrationRequest
from nattvandring.booking.models import Assignment, Booking
from nattvandring.calendars.services_links import association_feed_link, personal_feed_link
from nattvandring.messaging.models import SmsMessage
from nattvandring.planning.models import Shift, ShiftSeries
from nattvandring.reports.models import PatrolReport, ReportStatus, ReportWalker, UnsafePlace
from nattvandring.rounds.models import BookingRound, RoundShift
from nattvandring.sponsorship.models import Sponsor
from nattvandring.sponsorship.services_runs import create_run
from nattvandring.volunteers.models import MembershipRequest
from nattvandring.volunteers.services import personal_token
from tests import factories
from tests.sponsorship.conftest import agreement

# A Monday morning: the Friday walk below lies ahead, last Friday's walk is reported.
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SECRET = "test-secret-key-that-is-long-enough-000"


@dataclass
class RichWorld:
    ids: dict[str, int] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)  # raw tokens, never stored


def _shift(session: Session, world, start: datetime, area: str = "area_h", **fields) -> Shift:
    municipality = "bjuv" if area == "area_b" else "hassleholm"
    row = Shift(
        municipality_id=world.ids[municipality],
        area_id=world.ids[area],
        start_at=start,
        end_at=start + timedelta(hours=4),
        **fields,
    )
    session.add(row)
    session.flush()
    return row


def invite_coordinator(session: Session, ids: dict[str, int]) -> str:
    """A pending invitation of a new Hässleholm coordinator: its raw token, for the URL."""
    _, url = invite_staff(
        session,
        name="Ny Samordnare",
        email="ny.samordnare@example.org",
        role=Role.COORDINATOR,
        base_url="",
        hours=168,
        municipality_id=ids["hassleholm"],
    )
    return url.removeprefix("/invitation/")


def build_rich_world(session: Session, secret_key: str = SECRET) -> RichWorld:
    base = factories.build_world(session)
    world = RichWorld(ids=dict(base.ids), emails=dict(base.emails))
    ids = world.ids

    # A second sponsor whose liaison is outside the agreement below.
    other = Sponsor(name="Annat bolag", org_number=factories.org_number())
    session.add(other)
    session.flush()
    ids["sponsor_other"] = other.id
    liaison2 = factories.user(
        session, "Liaison Two", email="liaison2@example.org", phone_e164=factories.phone()
    )
    grant(session, liaison2, Role.SPONSOR_LIAISON, sponsor_id=other.id)
    ids["liaison2"] = liaison2.id
    world.emails["liaison2"] = "liaison2@example.org"

    # The sponsor's agreement covers Hässleholm; only assoc_a is enrolled.
    deal = agreement(
        session,
        base,
        enrol=("assoc_a",),
        municipalities=("hassleholm",),
        joined_on=date(2026, 1, 1),
    )
    ids["agreement"] = deal.id

    series = ShiftSeries(
        municipality_id=ids["hassleholm"],
        name="Fredagar",
        weekdays="4",
        start_date=date(2026, 11, 1),
        end_date=date(2026, 12, 31),
        start_time=time(21),
        end_time=time(1),
    )
    session.add(series)
    session.flush()
    ids["series"] = series.id

    # Friday's walk, booked by assoc_a with vol_a on the roster.
    friday = _shift(session, world, datetime(2026, 11, 6, 20, tzinfo=UTC), status="booked")
    booking = Booking(shift_id=friday.id, association_id=ids["assoc_a"])
    session.add(booking)
    session.flush()
    assignment = Assignment(shift_id=friday.id, booking_id=booking.id, user_id=ids["vol_a"])
    session.add(assignment)
    # Saturday's walk is open (book, reserve).
    saturday = _shift(session, world, datetime(2026, 11, 7, 20, tzinfo=UTC), series_id=series.id)
    ids.update(shift=friday.id, booking=booking.id, open_shift=saturday.id)
    # A booking round of Hässleholm over one later night, open until 20 November.
    round_night = _shift(session, world, datetime(2026, 11, 27, 20, tzinfo=UTC))
    found = BookingRound(
        municipality_id=ids["hassleholm"],
        name="Novemberomgången",
        deadline=datetime(2026, 11, 20, 11, tzinfo=UTC),
        seed="0" * 32,
        seed_sha256=hashlib.sha256(b"0" * 32).hexdigest(),
    )
    session.add(found)
    session.flush()
    session.add(RoundShift(round_id=found.id, shift_id=round_night.id))
    ids.update(round=found.id, round_shift=round_night.id)

    # Last Friday's walk, reported (submitted) by assoc_a, with an unsafe place.
    past = _shift(session, world, datetime(2026, 10, 30, 20, tzinfo=UTC), status="booked")
    past_booking = Booking(shift_id=past.id, association_id=ids["assoc_a"])
    session.add(past_booking)
    session.flush()
    past_assignment = Assignment(
        shift_id=past.id,
        booking_id=past_booking.id,
        user_id=ids["vol_a"],
        status="confirmed",
    )
    session.add(past_assignment)
    report = PatrolReport(
        shift_id=past.id,
        booking_id=past_booking.id,
        association_id=ids["assoc_a"],
        municipality_id=ids["hassleholm"],
        status=ReportStatus.SUBMITTED,
        young_people_met=25,
        summary="Lugn kväll",
        submitted_at=datetime(2026, 10, 31, 1, tzinfo=UTC),
    )
    session.add(report)
    session.flush()
    session.add(
        ReportWalker(
            report_id=report.id,
            user_id=ids["vol_a"],
            start_at=past.start_at,
            end_at=past.end_at,
            minutes=240,
        )
    )
    place = UnsafePlace(
        report_id=report.id,
        municipality_id=ids["hassleholm"],
        area_id=ids["area_h"],
        description="Trasig belysning",
    )
    session.add(place)
    session.flush()
    ids.update(
        past_shift=past.id,
        past_booking=past_booking.id,
        past_assignment=past_assignment.id,
        assignment=assignment.id,
        report=report.id,
        place=place.id,
    )

    run = create_run(
        session,
        agreement=deal,
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        actor_id=ids["admin"],
    )
    ids["run"] = run.id

    # An agreement shared by Hässleholm (assoc_a) and Bjuv (assoc_c), with a draft run: each
    # coordinator sees it, but only the liaison (or an admin) pays it out.
    shared = agreement(session, base, enrol=("assoc_a", "assoc_c"), joined_on=date(2026, 1, 1))
    shared.name = "Gemensamt avtal"
    shared_run = create_run(
        session,
        agreement=shared,
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        actor_id=ids["admin"],
    )
    ids.update(shared_agreement=shared.id, shared_run=shared_run.id)

    vol_a = session.get(User, ids["vol_a"])
    sms = SmsMessage(
        kind="booked",
        to_e164=vol_a.phone_e164,
        user_id=ids["vol_a"],
        shift_id=friday.id,
        association_id=ids["assoc_a"],
        municipality_id=ids["hassleholm"],
        body="Du är bokad fredag 21:00.",
        dedupe_key="security-booked-1",
        status="failed",
    )
    session.add(sms)
    session.flush()
    ids["sms"] = sms.id

    # Secret links.
    for key in ("vol_a", "vol_c"):
        person = session.get(User, ids[key])
        world.raw[f"personal_{key}"] = personal_token(session, person, secret_key)
        link = personal_feed_link(session, user_id=ids[key], secret_key=secret_key, base_url="")
        world.raw[f"feed_{key}"] = link.https.removeprefix("/feeds/personal/").removesuffix(".ics")
    link = association_feed_link(
        session, association_id=ids["assoc_a"], secret_key=secret_key, base_url=""
    )
    world.raw["assoc_feed_a"] = link.https.removeprefix("/feeds/association/").removesuffix(".ics")
    world.raw["invitation"] = invite_coordinator(session, ids)
    world.raw["reset"] = tokens.issue(
        session, TokenPurpose.PASSWORD_RESET, user_id=ids["coord_h"], ttl=timedelta(hours=2)
    )

    # Pending memberships: association A asked vol_b; association B asked vol_a.
    for key, association, person in (
        ("request", "assoc_a", "vol_b"),
        ("question_vol_a", "assoc_b", "vol_a"),
    ):
        question = MembershipRequest(
            association_id=ids[association],
            user_id=ids[person],
            name="Typat Namn",
            phone_e164=session.get(User, ids[person]).phone_e164,
            asked_at=NOW,
        )
        session.add(question)
        session.flush()
        ids[key] = question.id
    # An association application whose address is proven (the link), waiting for its code.
    world.raw["registration"] = "registration-" + "r" * 40
    session.add(
        RegistrationRequest(
            municipality_id=ids["hassleholm"],
            name="Ny Förening",
            org_number=factories.org_number(),
            account_type="bankgiro",
            account_number=factories.bankgiro(),
            contact_name="Ny Kontakt",
            contact_email="ny.kontakt@example.org",
            contact_phone="+46701740686",
            token_hash=tokens.hash_token(world.raw["registration"]),
            expires_at=NOW + timedelta(hours=48),
        )
    )
    # vol_a's new e-mail address, waiting for its link to be opened.
    _proof, world.raw["email_change"] = verification.issue_link(
        session,
        VerificationPurpose.EMAIL_CHANGE,
        to_email="ny.vol.a@example.org",
        user_id=ids["vol_a"],
    )
    session.flush()
    return world


def reset_database(engine) -> None:
    tables = SQLModel.metadata.sorted_tables
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


def fingerprint(engine) -> str:
    """A digest of every row of every table (any insert, update or delete changes it)."""
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(select(table).order_by(*order)).all()
            digest.update(f"{table.name}:{rows!r}".encode())
    return digest.hexdigest()


def frozen_now() -> datetime:
    clock.freeze(NOW)
    return NOW
