"""The leader's home, per association they lead: the next walk and its group, groups under
the minimum, answers awaited, reports to write, nights open for booking and reserve offers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from ..associations.models import Association, AssociationStatus
from ..booking import queries as booking
from ..booking.capacity import BELOW_MINIMUM
from ..booking.models import ReserveEntry
from ..booking.services_reserve import offers_to
from ..municipalities.models import Municipality
from ..planning.models import Shift
from ..reports.services_due import MissingReport, missing_reports
from ..rounds.queries import open_rounds_by_shift
from .lists import Shown, shown

#: Booked walks this far ahead count for "next walk", groups and answers.
AHEAD = timedelta(days=60)
#: Open nights are offered from now to this far ahead.
OPEN_AHEAD = timedelta(days=14)
#: A walk under way (started at most this long ago) is still the next walk until it ends.
UNDER_WAY = timedelta(hours=12)


@dataclass(frozen=True)
class AssociationHome:
    association: Association
    next_walk: booking.OurBooking | None
    below_minimum: Shown[booking.OurBooking]
    awaiting_answers: Shown[booking.OurBooking]
    reports: Shown[MissingReport]
    open_nights: Shown[booking.ShiftRow]
    offers: list[tuple[ReserveEntry, Shift, str]]  # entry, night, area

    @property
    def all_done(self) -> bool:
        return not (self.below_minimum or self.awaiting_answers or self.reports or self.offers)


def association_home(
    session: Session,
    association: Association,
    municipality: Municipality,
    *,
    reports: list[MissingReport],
    offers: list[tuple[ReserveEntry, Shift, str]],
    now: datetime,
) -> AssociationHome:
    """One association's part (eight queries through ``booking`` and ``rounds``)."""
    assert association.id is not None
    coming = [
        row
        for row in booking.association_bookings(
            session, association.id, start=now - UNDER_WAY, end=now + AHEAD, now=now
        )
        if row.shift.end_at > now
    ]
    open_nights: list[booking.ShiftRow] = []
    if association.status == AssociationStatus.APPROVED:
        rows = booking.calendar_rows(
            session,
            association=association,
            start=now,
            end=now + OPEN_AHEAD,
            only_open=True,
            max_associations=municipality.max_associations_per_shift,
            now=now,
        )
        rows = [row for row in rows if not row.is_ours]
        in_round = open_rounds_by_shift(session, [r.shift.id for r in rows if r.shift.id])
        open_nights = [row for row in rows if row.shift.id not in in_round]
    return AssociationHome(
        association=association,
        next_walk=coming[0] if coming else None,
        below_minimum=shown([row for row in coming if row.status.state == BELOW_MINIMUM]),
        awaiting_answers=shown([row for row in coming if row.status.waiting > 0]),
        reports=shown(reports),
        open_nights=shown(open_nights),
        offers=offers,
    )


def leader_home(
    session: Session, association_ids: set[int], now: datetime
) -> list[AssociationHome]:
    """A part per association, by name (a constant number of queries per association)."""
    if not association_ids:
        return []
    found = session.exec(
        select(Association, Municipality)
        .join(Municipality, col(Municipality.id) == Association.municipality_id)
        .where(col(Association.id).in_(association_ids))
        .order_by(col(Association.name), col(Association.id))
    ).all()
    due = missing_reports(session, association_ids=association_ids, now=now)
    offered = offers_to(session, association_ids, now=now)
    return [
        association_home(
            session,
            association,
            municipality,
            reports=[r for r in due if r.booking.association_id == association.id],
            offers=[o for o in offered if o[0].association_id == association.id],
            now=now,
        )
        for association, municipality in found
    ]
