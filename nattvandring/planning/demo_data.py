"""Demo patrol nights: Fridays and Saturdays from 8 weeks ago to 10 weeks ahead, plus Valborg."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from ..clock import to_local, utcnow
from ..demo import data
from ..municipalities.models import Municipality, PatrolArea
from . import special_nights as specials
from .models import Shift
from .services_series import SeriesInput, add_special_night, create_series

ORDER = 10
WEEKS_BEFORE = 8
WEEKS_AFTER = 10


def load(session: Session) -> None:
    today = to_local(utcnow()).date()
    first, last = today - timedelta(weeks=WEEKS_BEFORE), today + timedelta(weeks=WEEKS_AFTER)
    for name, _areas in data.MUNICIPALITIES:
        municipality = session.exec(select(Municipality).where(Municipality.name == name)).first()
        if municipality is None:
            continue
        if session.exec(select(Shift.id).where(Shift.municipality_id == municipality.id)).first():
            continue  # already planned: the demo is idempotent
        areas = list(
            session.exec(
                select(PatrolArea)
                .where(PatrolArea.municipality_id == municipality.id, PatrolArea.active == True)  # noqa: E712
                .order_by(PatrolArea.name)
            )
        )
        if not areas:
            continue
        # One series per distinct default time, so each area walks at its own hours.
        by_times: dict[tuple, list[PatrolArea]] = {}
        for area in areas:
            by_times.setdefault((area.default_start, area.default_end), []).append(area)
        for (start, end), group in by_times.items():
            create_series(
                session,
                municipality=municipality,
                data=SeriesInput(
                    area_ids=[a.id for a in group],  # type: ignore[misc]
                    weekdays=[4, 5],
                    start_date=first,
                    end_date=last,
                    start_time=start,
                    end_time=end,
                    name=f"Demo {first:%Y-%m-%d}",
                ),
                actor_id=None,
            )
        for night in specials.special_nights_between(first, last):
            if night.key == specials.VALBORG:
                add_special_night(
                    session,
                    municipality=municipality,
                    day=night.day,
                    key=night.key,
                    area_ids=[a.id for a in areas],  # type: ignore[misc]
                    actor_id=None,
                )
    session.flush()
