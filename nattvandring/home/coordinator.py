"""The coordinator's home: reports to approve, nights this week and next that lack an
association or walkers, associations to approve, unsafe places to follow up, who is out now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from ..associations import services as associations
from ..associations.models import Association
from ..booking.rules import FILL_BELOW_MINIMUM, FILL_OPEN
from ..checkins import queries as checkins
from ..clock import to_local
from ..planning.models import Shift
from ..planning.month import ShiftRow, load_shift_rows, local_day_bounds
from ..planning.schedule import evening_of
from ..reports import services_review as reviews
from ..reports.models import PatrolReport, UnsafePlace
from .lists import SHOWN, Shown, shown


@dataclass(frozen=True)
class PlaceToFollow:
    place: UnsafePlace
    area: str
    started: datetime  # the walk's start
    evening: date  # the walk's evening, as the lägesbild filters by it


@dataclass(frozen=True)
class CoordinatorHome:
    reports: Shown[tuple[PatrolReport, Shift, str, str]]  # report, shift, association, area
    nights: Shown[ShiftRow]  # open or under the minimum, this week and next
    associations: Shown[Association]
    places: Shown[PlaceToFollow]
    out_now: list[checkins.GroupOut]

    @property
    def all_done(self) -> bool:
        return not (self.reports or self.nights or self.associations or self.places)


def weeks_end(now: datetime) -> datetime:
    """The end of next week (local midnight after its Sunday), as a UTC instant."""
    today = to_local(now).date()
    sunday = today + timedelta(days=6 - today.weekday() + 7)
    return local_day_bounds(today, sunday)[1]


def nights_needing_attention(
    session: Session, municipality_ids: set[int], now: datetime
) -> Shown[ShiftRow]:
    """Live nights from now to the end of next week with no association or too few walkers
    (three queries per municipality, through ``planning.month``)."""
    end = weeks_end(now)
    found: list[ShiftRow] = []
    for municipality_id in sorted(municipality_ids):
        found += [
            row
            for row in load_shift_rows(
                session,
                municipality_id=municipality_id,
                start=now,
                end=end,
                include_cancelled=False,
            )
            if row.fill_state in (FILL_OPEN, FILL_BELOW_MINIMUM)
        ]
    found.sort(key=lambda row: (row.shift.start_at, row.area_name, row.shift.id or 0))
    return shown(found)


def coordinator_home(
    session: Session, municipality_ids: set[int], now: datetime
) -> CoordinatorHome:
    return CoordinatorHome(
        reports=shown(
            reviews.awaiting_review(session, municipality_ids=municipality_ids, limit=SHOWN + 1)
        ),
        nights=nights_needing_attention(session, municipality_ids, now),
        associations=shown(
            associations.awaiting_approval(
                session, municipality_ids=municipality_ids, limit=SHOWN + 1
            )
        ),
        places=shown(
            [
                PlaceToFollow(place, area, shift.start_at, evening_of(shift.start_at))
                for place, shift, area in reviews.places_to_follow_up(
                    session, municipality_ids=municipality_ids, limit=SHOWN + 1
                )
            ]
        ),
        out_now=checkins.out_now(session, municipality_ids, now),
    )
