"""Demo bookings: about 60 % of the planned shifts booked, with walking groups of 3-5.

Runs after the planning demo (which creates the shifts); does nothing when there are no
shifts. Idempotent: shifts that already have a booking are left alone. Bookings go through
the services with a "now" one week before each shift, so every rule still applies.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta

from sqlmodel import Session, col, select

from ..accounts.models import Membership, Role
from ..associations.models import Association, AssociationStatus
from ..clock import utcnow
from ..errors import RuleViolation
from ..planning.models import Shift, ShiftStatus
from . import services_booking, services_roster
from .models import Assignment, Booking

ORDER = 20
log = logging.getLogger(__name__)


def load(session: Session) -> None:
    shifts = session.exec(
        select(Shift)
        .where(Shift.status != ShiftStatus.CANCELLED)
        .order_by(col(Shift.start_at), col(Shift.id))
    ).all()
    if not shifts:
        return
    booked = set(session.exec(select(Booking.shift_id)).all())
    associations: dict[int, list[Association]] = defaultdict(list)
    for association in session.exec(
        select(Association)
        .where(Association.status == AssociationStatus.APPROVED)
        .order_by(col(Association.id))
    ):
        associations[association.municipality_id].append(association)
    members: dict[int, list[int]] = defaultdict(list)
    for association_id, user_id in session.exec(
        select(Membership.association_id, Membership.user_id)
        .where(Membership.role == Role.VOLUNTEER)
        .order_by(col(Membership.id))
    ):
        members[association_id].append(user_id)  # type: ignore[index]

    now = utcnow()
    declined_one = False
    created = 0
    for index, shift in enumerate(shifts):
        candidates = associations.get(shift.municipality_id) or []
        if shift.id in booked or not candidates or index % 5 >= 3:
            continue
        association = candidates[index % len(candidates)]
        # Booked a week ahead, or now for a shift that is nearer: nothing is in the future.
        then = min(shift.start_at - timedelta(days=7), now)
        try:
            with session.begin_nested():
                booking = services_booking.book_shift(
                    session,
                    association_id=association.id,  # type: ignore[arg-type]
                    shift_id=shift.id,  # type: ignore[arg-type]
                    actor_id=None,
                    now=then,
                )
        except RuleViolation:
            continue
        created += 1
        wanted = 3 + index % 3
        group: list[Assignment] = []
        people = members.get(association.id, [])  # type: ignore[arg-type]
        offset = index % max(len(people), 1)
        for user_id in people[offset:] + people[:offset]:
            if len(group) >= wanted:
                break
            try:
                with session.begin_nested():
                    group.append(
                        services_roster.add_to_roster(
                            session,
                            booking_id=booking.id,  # type: ignore[arg-type]
                            user_id=user_id,
                            actor_id=None,
                            now=then,
                        )
                    )
            except RuleViolation:
                continue
        past = shift.start_at <= now
        for n, assignment in enumerate(group):
            answer_at = min(then + timedelta(hours=1), now)
            if past or n < len(group) - 2:
                services_roster.confirm_assignment(session, assignment, now=answer_at)
            elif not declined_one and not past:
                services_roster.decline_assignment(session, assignment, now=answer_at)
                declined_one = True
    session.flush()
    log.info("Demo: %s bookings created", created)
