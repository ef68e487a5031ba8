"""Builders for sponsorship tests: approved walks written straight into the reports tables."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlmodel import Session

from nattvandring import clock
from nattvandring.booking.models import Booking
from nattvandring.planning.models import Shift
from nattvandring.reports.models import (
    HoursLedgerEntry,
    LedgerKind,
    PatrolReport,
    ReportStatus,
    ReportWalker,
)
from nattvandring.sponsorship.models import AgreementAssociation, Sponsor, SponsorAgreement
from nattvandring.sponsorship.rules import PaymentRule
from nattvandring.sponsorship.services_agreements import (
    AgreementInput,
    create_agreement,
    update_agreement,
)

PER_WALK = PaymentRule(kind="per_walk", amount_ore=150_000, min_walkers=3, min_age=18)


def walk(
    session: Session,
    *,
    association_id: int,
    municipality_id: int,
    area_id: int,
    evening: date,
    birth_years: list[int | None],
    hours: int = 4,
    minutes: int | None = None,
    recorded_at: datetime | None = None,
    user_ids: list[int] | None = None,
) -> PatrolReport:
    """An approved report with one ledger entry per walker, as approval writes them."""
    people = list(user_ids or []) + [None] * len(birth_years)
    shift, report, walkers = approved_report(
        session,
        association_id=association_id,
        municipality_id=municipality_id,
        area_id=area_id,
        evening=evening,
        user_ids=people[: len(birth_years)],
        minutes=hours * 60 if minutes is None else minutes,
        approved_at=recorded_at,
    )
    for birth_year, walker in zip(birth_years, walkers, strict=True):
        entry = HoursLedgerEntry(
            report_id=report.id,
            walker_id=walker.id,
            shift_id=shift.id,
            association_id=association_id,
            municipality_id=municipality_id,
            evening=evening,
            minutes=walker.minutes,
            walker_birth_year=birth_year,
            kind=LedgerKind.APPROVAL,
            user_id=walker.user_id,
        )
        if recorded_at is not None:
            entry.created_at = recorded_at
        session.add(entry)
    session.flush()
    return report


def approved_report(
    session: Session,
    *,
    association_id: int,
    municipality_id: int,
    area_id: int,
    evening: date,
    user_ids: list[int | None],
    minutes: int = 240,
    approved_at: datetime | None = None,
) -> tuple[Shift, PatrolReport, list[ReportWalker]]:
    """A booked shift at 21:00 on ``evening`` and its approved report, one walker per
    ``user_ids`` for ``minutes``; no ledger entries yet."""
    start = clock.local_to_utc(evening, time(21))
    end = start + timedelta(minutes=minutes)
    shift = Shift(municipality_id=municipality_id, area_id=area_id, start_at=start, end_at=end)
    session.add(shift)
    session.flush()
    booking = Booking(shift_id=shift.id, association_id=association_id)
    session.add(booking)
    session.flush()
    report = PatrolReport(
        shift_id=shift.id,
        booking_id=booking.id,
        association_id=association_id,
        municipality_id=municipality_id,
        status=ReportStatus.APPROVED,
        approved_at=approved_at,
    )
    session.add(report)
    session.flush()
    walkers = [
        ReportWalker(
            report_id=report.id, user_id=user_id, start_at=start, end_at=end, minutes=minutes
        )
        for user_id in user_ids
    ]
    session.add_all(walkers)
    session.flush()
    return shift, report, walkers


def correct_walker_out(
    session: Session, report: PatrolReport, *, recorded_at: datetime, reason: str = "fel"
) -> None:
    """A coordinator's later correction: the report's first walker did not walk after all."""
    from sqlmodel import select

    first = session.exec(
        select(HoursLedgerEntry)
        .where(HoursLedgerEntry.report_id == report.id)
        .order_by(HoursLedgerEntry.id)
    ).first()
    assert first is not None
    session.add(
        HoursLedgerEntry(
            report_id=first.report_id,
            walker_id=first.walker_id,
            shift_id=first.shift_id,
            association_id=first.association_id,
            municipality_id=first.municipality_id,
            evening=first.evening,
            minutes=-first.minutes,
            walker_birth_year=first.walker_birth_year,
            kind=LedgerKind.CORRECTION,
            reason=reason,
            created_at=recorded_at,
        )
    )
    session.flush()


def agreement(
    session: Session,
    world,
    *,
    enrol: tuple[str, ...] = ("assoc_a", "assoc_b", "assoc_c"),
    municipalities: tuple[str, ...] = ("hassleholm", "bjuv"),
    rule: PaymentRule = PER_WALK,
    valid_from: date = date(2026, 1, 1),
    budget_ore: int | None = None,
    cap_ore: int | None = None,
    joined_on: date = date(2026, 1, 1),
) -> SponsorAgreement:
    sponsor = session.get(Sponsor, world.ids["sponsor"])
    assert sponsor is not None
    row = create_agreement(
        session,
        sponsor=sponsor,
        data=AgreementInput(
            name="Trygghetsvandring",
            valid_from=valid_from,
            valid_to=None,
            budget_ore=budget_ore,
            cap_per_association_year_ore=cap_ore,
            rule=rule,
            municipality_ids=tuple(world.ids[m] for m in municipalities),
        ),
    )
    for key in enrol:
        session.add(
            AgreementAssociation(
                agreement_id=row.id,
                association_id=world.ids[key],
                joined_on=joined_on,
            )
        )
    session.flush()
    return row


@pytest.fixture
def place(world):
    """Keyword arguments for ``walk`` per association key."""
    ids = world.ids
    return {
        "assoc_a": {
            "association_id": ids["assoc_a"],
            "municipality_id": ids["hassleholm"],
            "area_id": ids["area_h"],
        },
        "assoc_b": {
            "association_id": ids["assoc_b"],
            "municipality_id": ids["hassleholm"],
            "area_id": ids["area_h"],
        },
        "assoc_c": {
            "association_id": ids["assoc_c"],
            "municipality_id": ids["bjuv"],
            "area_id": ids["area_b"],
        },
    }


def login_as(client, email: str):
    """Log out whoever is logged in, then log in as ``email``."""
    from tests.factories import login

    client.post("/logout")
    return login(client, email)


def approve_from_page(client, run_id: int):
    """Press "Godkänn och lås" on the run's confirmation page, as the liaison does: the form
    carries what the page showed (``seen``)."""
    import re

    page = client.get(f"/sponsorship/runs/{run_id}/approve").get_data(as_text=True)
    seen = re.search(r'name="seen" value="([0-9a-f]*)"', page)
    assert seen is not None, "the confirmation page has no approve form"
    return client.post(f"/sponsorship/runs/{run_id}/approve", data={"seen": seen.group(1)})


def end_agreement(session: Session, world, agreement_id: int, valid_to: date) -> None:
    """Shorten the agreement (from the conftest's ``agreement``) to end on ``valid_to``,
    its other facts as they were."""
    deal = session.get_one(SponsorAgreement, agreement_id)
    update_agreement(
        session,
        agreement=deal,
        data=AgreementInput(
            name=deal.name,
            valid_from=deal.valid_from,
            valid_to=valid_to,
            budget_ore=None,
            cap_per_association_year_ore=None,
            rule=PER_WALK,
            municipality_ids=(world.ids["hassleholm"], world.ids["bjuv"]),
        ),
        editable_municipality_ids=None,
    )
