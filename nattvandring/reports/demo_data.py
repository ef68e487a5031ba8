"""Demo reports for the booking demo's past walks: every report state, incidents and places.

Runs after the booking demo (ORDER 20). Does nothing when there are no past booked walks, and
nothing when reports already exist (idempotent). Uses the services, so the ledger is real.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from ..accounts.models import Membership, Role
from ..booking.models import Booking, BookingStatus
from ..clock import utcnow
from ..municipalities.models import Municipality
from ..planning.models import Shift, ShiftStatus
from ..planning.schedule import duration_minutes
from .models import IncidentCategory, PatrolReport, UnsafePlace, UnsafePlaceStatus
from .services_report import (
    IncidentInput,
    PlaceInput,
    ReportInput,
    WalkerInput,
    member_ids,
    roster_user_ids,
    save_report,
    start_report,
    submit_report,
)
from .services_review import approve, correct_walker, return_report, set_place_status
from .times import local_hhmm

log = logging.getLogger(__name__)

ORDER = 30
_HOUR = timedelta(hours=1)

SUMMARIES = (
    "Lugn kväll. Många unga vid busstationen, god stämning.",
    "Mycket folk vid torget efter matchen. Pratade med flera grupper.",
    "Kallt och regnigt, få ute. Gick en extra runda i parken.",
    "Fest i skolans närhet; vi stannade kvar tills det lugnade sig.",
)
INCIDENTS = (
    (IncidentCategory.ALCOHOL, "Berusade ungdomar, vi kontaktade en förälder.", "Stortorget"),
    (IncidentCategory.VANDALISM, "Krossad ruta i busskuren.", "Busstationen"),
    (IncidentCategory.THREAT, "Hotfull stämning mellan två grupper, polisen larmades.", ""),
    (IncidentCategory.DRUGS, "Misstänkt langning, noterat och rapporterat till polisen.", "Parken"),
    (IncidentCategory.OTHER, "Hittade en borttappad plånbok, lämnad till polisen.", ""),
)
PLACES = (
    ("Trasig gatubelysning längs gångvägen", "Gångtunneln vid stationen", 56.1570, 13.7650),
    ("Igenvuxen buskage skymmer sikten", "Parken bakom biblioteket", None, None),
    ("Mörk cykelparkering utan belysning", "Skolans baksida", 56.1601, 13.7702),
)
# Newest past walks get these states; all older ones are approved.
RECENT_STATES = ("missing", "submitted", "returned", "draft", "corrected")


def _first(session: Session, role: Role, **scope: int) -> int | None:
    query = select(Membership.user_id).where(Membership.role == role)
    for name, value in scope.items():
        query = query.where(getattr(Membership, name) == value)
    return session.exec(query.order_by(col(Membership.id))).first()


def _walkers(session: Session, booking: Booking, shift: Shift, index: int) -> list[WalkerInput]:
    assert booking.id is not None
    ids = (
        roster_user_ids(session, booking.id)
        or sorted(member_ids(session, booking.association_id))[:3]
    )
    start, end = local_hhmm(shift.start_at), local_hhmm(shift.end_at)
    walkers = []
    for position, user_id in enumerate(ids):
        # Now and then somebody goes home an hour early.
        leaves_early = position == 1 and index % 3 == 0
        early_end = local_hhmm(shift.end_at - _HOUR) if leaves_early else end
        walkers.append(WalkerInput(user_id, start, early_end))
    return walkers


def _due_days(session: Session, shift: Shift) -> int:
    municipality = session.get(Municipality, shift.municipality_id)
    return municipality.report_due_days if municipality else 7


def _plan(
    session: Session, pairs: Sequence[tuple[Booking, Shift]], now: datetime
) -> list[tuple[int, str, Booking, Shift]]:
    """Per municipality (so every coordinator sees every state): the newest walk already past
    its due date stays without a report (overdue); the next newest get RECENT_STATES; all
    older walks are approved."""
    by_municipality: dict[int, list[tuple[Booking, Shift]]] = {}
    for pair in pairs:
        by_municipality.setdefault(pair[1].municipality_id, []).append(pair)
    plan: list[tuple[int, str, Booking, Shift]] = []
    for group in by_municipality.values():
        overdue = next(
            (p for p in group if p[1].end_at + timedelta(days=_due_days(session, p[1])) < now),
            group[0],
        )
        ordered = [overdue] + [p for p in group if p is not overdue]
        for position, (booking, shift) in enumerate(ordered):
            state = RECENT_STATES[position] if position < len(RECENT_STATES) else "approved"
            plan.append((len(plan), state, booking, shift))
    return plan


def load(session: Session) -> None:
    if session.exec(select(PatrolReport.id)).first() is not None:
        return
    now = utcnow()
    pairs = session.exec(
        select(Booking, Shift)
        .join(Shift, col(Shift.id) == Booking.shift_id)
        .where(
            Booking.status == BookingStatus.ACTIVE,
            Shift.status != ShiftStatus.CANCELLED,
            Shift.end_at < now,
        )
        .order_by(col(Shift.start_at).desc(), col(Booking.id))
    ).all()
    if not pairs:
        return
    created = 0
    for index, state, booking, shift in _plan(session, pairs, now):
        if state == "missing":
            continue
        leader = _first(session, Role.LEADER, association_id=booking.association_id)
        coordinator = _first(session, Role.COORDINATOR, municipality_id=shift.municipality_id)
        walkers = _walkers(session, booking, shift, index)
        if not walkers:
            continue
        report = start_report(session, booking, actor_id=leader)
        incidents = []
        if index % 2 == 0:
            category, text, place = INCIDENTS[index % len(INCIDENTS)]
            incidents.append(IncidentInput(category, text, place))
        places = []
        if index % 3 == 1:
            description, where, lat, lon = PLACES[index % len(PLACES)]
            places.append(PlaceInput(description, where, lat, lon))
        save_report(
            session,
            report,
            ReportInput(
                young_people_met=15 + (index * 7) % 35,
                summary=SUMMARIES[index % len(SUMMARIES)],
                walkers=walkers,
                incidents=incidents,
                places=places,
            ),
            actor_id=leader,
        )
        created += 1
        if state == "draft":
            continue
        submit_report(session, report, actor_id=leader)
        if state == "submitted":
            continue
        if state == "returned":
            return_report(
                session,
                report,
                comment="Sluttiden saknas för en av vandrarna, kan ni komplettera?",
                actor_id=coordinator,
            )
            continue
        approve(session, report, actor_id=coordinator)
        for unsafe in session.exec(select(UnsafePlace).where(UnsafePlace.report_id == report.id)):
            if index % 2 == 0:
                set_place_status(session, unsafe, UnsafePlaceStatus.FORWARDED, actor_id=coordinator)
            if index % 4 == 0:
                set_place_status(session, unsafe, UnsafePlaceStatus.FIXED, actor_id=coordinator)
        if state == "corrected" and walkers:
            correct_walker(
                session,
                report,
                user_id=walkers[0].user_id,
                minutes=max(duration_minutes(shift.start_at, shift.end_at) - 60, 30),
                reason="Gick hem tidigt med en sjuk vandrare; rättat efter samtal med ledaren.",
                actor_id=coordinator,
            )
    session.flush()
    log.info("Demo: %s patrol reports created", created)
