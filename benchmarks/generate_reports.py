"""What happens after the walks, at benchmark scale: approved reports with their walkers and
hours-ledger rows for every past booking, and a sponsor whose agreement covers the first
municipality, with a liaison login and a draft payout run over the past half year.

Reports, walkers and ledger rows are inserted in bulk (multi-row INSERT ... RETURNING); the
sponsor, agreement and run go through the real services, so the run's lines are computed
exactly as in production.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session

from nattvandring.accounts.models import Membership, Role, User
from nattvandring.accounts.services import grant
from nattvandring.associations.models import Association
from nattvandring.associations.validation import with_check_digit
from nattvandring.booking.models import Assignment, Booking
from nattvandring.clock import to_local, utcnow
from nattvandring.planning.models import Shift
from nattvandring.reports.models import HoursLedgerEntry, PatrolReport, ReportWalker
from nattvandring.sponsorship.models import AgreementAssociation, PayoutRun
from nattvandring.sponsorship.rules import PaymentRule
from nattvandring.sponsorship.services_agreements import (
    AgreementInput,
    create_agreement,
    create_sponsor,
)
from nattvandring.sponsorship.services_runs import create_run

CHUNK = 2000
SPONSOR_EMAIL = "sponsor@scale.invalid"
ADMIN_EMAIL = "admin@scale.invalid"


def _returning(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    ids: list[int] = []
    for first in range(0, len(rows), CHUNK):
        statement = insert(model).returning(model.id, sort_by_parameter_order=True)
        ids += session.execute(statement, rows[first : first + CHUNK]).scalars()
    return ids


def reports_for(session: Session, municipality_id: int) -> dict[str, int]:
    """An approved report for every booking of ``municipality_id`` whose walk has ended."""
    now = utcnow()
    past = session.execute(
        select(Booking.id, Booking.shift_id, Booking.association_id, Shift.start_at, Shift.end_at)
        .join(Shift, Shift.id == Booking.shift_id)
        .where(Shift.municipality_id == municipality_id, Shift.end_at < now)
        .order_by(Booking.id)
    ).all()
    if not past:
        return {"reports": 0, "ledger_rows": 0}
    walkers: dict[int, list[int]] = {}
    for booking_id, user_id in session.execute(
        select(Assignment.booking_id, Assignment.user_id).where(
            Assignment.booking_id.in_([row.id for row in past])  # type: ignore[union-attr]
        )
    ):
        walkers.setdefault(booking_id, []).append(user_id)
    report_ids = _returning(
        session,
        PatrolReport,
        [
            {
                "shift_id": row.shift_id,
                "booking_id": row.id,
                "association_id": row.association_id,
                "municipality_id": municipality_id,
                "status": "approved",
                "young_people_met": 7,
                "summary": "Lugn kväll.",
                "submitted_at": row.end_at,
                "approved_at": row.end_at + timedelta(days=1),
                "created_at": row.end_at,
                "updated_at": row.end_at + timedelta(days=1),
            }
            for row in past
        ],
    )
    walker_rows, ledger_plan = [], []
    for report_id, row in zip(report_ids, past, strict=True):
        minutes = int((row.end_at - row.start_at).total_seconds() // 60)
        evening = to_local(row.start_at).date()
        for user_id in walkers.get(row.id, []):
            walker_rows.append(
                {
                    "report_id": report_id,
                    "user_id": user_id,
                    "start_at": row.start_at,
                    "end_at": row.end_at,
                    "minutes": minutes,
                    "in_filed_report": True,
                }
            )
            ledger_plan.append((report_id, row, user_id, evening, minutes))
    walker_ids = _returning(session, ReportWalker, walker_rows)
    ledger = [
        {
            "report_id": report_id,
            "walker_id": walker_id,
            "shift_id": row.shift_id,
            "association_id": row.association_id,
            "municipality_id": municipality_id,
            "user_id": user_id,
            "evening": evening,
            "minutes": minutes,
            "walker_birth_year": 1990,
            "kind": "approval",
            "reason": "",
            "created_at": row.end_at + timedelta(days=1),
        }
        for walker_id, (report_id, row, user_id, evening, minutes) in zip(
            walker_ids, ledger_plan, strict=True
        )
    ]
    for first in range(0, len(ledger), CHUNK):
        session.execute(insert(HoursLedgerEntry), ledger[first : first + CHUNK])
    return {"reports": len(report_ids), "ledger_rows": len(ledger)}


def sponsor_with_run(session: Session, municipality_id: int, password_hash: str) -> int:
    """A sponsor paying per walk in ``municipality_id``, every association enrolled, a liaison
    login (SPONSOR_EMAIL) and a draft payout run over the past half year; returns the run id."""
    sponsor = create_sponsor(
        session, name="Försäkringsbolaget Trygg", org_number=with_check_digit("502000000")
    )
    today = to_local(utcnow()).date()
    agreement = create_agreement(
        session,
        sponsor=sponsor,
        data=AgreementInput(
            name="Trygghetsvandring",
            valid_from=today - timedelta(days=190),
            valid_to=today + timedelta(days=170),
            budget_ore=None,
            cap_per_association_year_ore=None,
            rule=PaymentRule(kind="per_walk", amount_ore=150_000, min_walkers=3, min_age=18),
            municipality_ids=(municipality_id,),
        ),
    )
    clubs = session.execute(
        select(Association.id).where(Association.municipality_id == municipality_id)
    ).scalars()
    for club in clubs:
        session.add(
            AgreementAssociation(
                agreement_id=agreement.id,  # type: ignore[arg-type]
                association_id=club,
                joined_on=agreement.valid_from,
            )
        )
    liaison = User(name="Stina Sponsor", email=SPONSOR_EMAIL, password_hash=password_hash)
    session.add(liaison)
    session.flush()
    grant(session, liaison, Role.SPONSOR_LIAISON, sponsor_id=sponsor.id)
    run: PayoutRun = create_run(
        session,
        agreement=agreement,
        period_start=agreement.valid_from,
        period_end=today - timedelta(days=1),
        actor_id=liaison.id,
    )
    assert run.id is not None
    return run.id


def admin(session: Session, password_hash: str) -> str:
    """The administrator's e-mail (created once)."""
    found = session.execute(
        select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == Role.ADMIN)
    ).first()
    if found and found[0]:
        return found[0]
    user = User(name="Alva Admin", email=ADMIN_EMAIL, password_hash=password_hash)
    session.add(user)
    session.flush()
    grant(session, user, Role.ADMIN)
    return ADMIN_EMAIL
