"""Demo patrol nights: Fridays and Saturdays of the last finished spring season, and from 8
weeks ago to 10 weeks ahead, plus Valborg. The spring gives the reports and sponsorship demos
a finished season to approve and pay out."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from ..clock import to_local, utcnow
from ..demo import data
from ..municipalities.models import Municipality
from . import special_nights as specials
from .models import PatrolArea, Shift
from .services_series import SeriesInput, create_series
from .services_special import add_special_night, save_school_breaks

ORDER = 10
WEEKS_BEFORE = 8
WEEKS_AFTER = 10
# Skåne's school breaks: sportlov week 8, påsklov week 14, höstlov week 44.
DEMO_BREAKS: dict[str, int | None] = {
    specials.SPORTLOV: 8,
    specials.PASKLOV: 14,
    specials.HOSTLOV: 44,
}


SPRING = ((3, 1), (6, 13))  # (month, day) of the demo spring season's first and last night


def last_finished_spring(today: date) -> tuple[date, date]:
    year = today.year if today > date(today.year, *SPRING[1]) else today.year - 1
    return date(year, *SPRING[0]), date(year, *SPRING[1])


def load(session: Session) -> None:
    today = to_local(utcnow()).date()
    first, last = today - timedelta(weeks=WEEKS_BEFORE), today + timedelta(weeks=WEEKS_AFTER)
    seasons = [last_finished_spring(today), (first, last)]
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
            for season_first, season_last in seasons:
                _season(session, municipality, group, season_first, season_last, start, end)
        for season_first, season_last in seasons:
            _valborg(session, municipality, areas, season_first, season_last)
        save_school_breaks(session, municipality=municipality, weeks=DEMO_BREAKS, actor_id=None)
    session.flush()


def _season(session, municipality, group, first, last, start, end) -> None:
    create_series(
        session,
        municipality=municipality,
        data=SeriesInput(
            area_ids=[a.id for a in group],
            weekdays=[4, 5],
            start_date=first,
            end_date=last,
            start_time=start,
            end_time=end,
            name=f"Demo {first:%Y-%m-%d}",
        ),
        actor_id=None,
    )


def _valborg(session, municipality, areas, first, last) -> None:
    for night in specials.special_nights_between(first, last):
        if night.key == specials.VALBORG:
            add_special_night(
                session,
                municipality=municipality,
                day=night.day,
                key=night.key,
                area_ids=[a.id for a in areas],
                actor_id=None,
            )
