"""Nights that need extra patrols: public holidays and the big evenings that are not red days.

Swedish public holidays come from the ``holidays`` package (country SE, public category).
Valborg, midsummer eve, the Nordic night-walk day, Halloween, New Year's Eve and the last
school day are added here: they are not red days, but they are the busiest patrol nights.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays
from dateutil.relativedelta import SA, relativedelta
from flask_babel import force_locale
from flask_babel.speaklater import LazyString

from nattvandring.formatting import current_language
from nattvandring.i18n import _l

#: Key used for every public holiday taken from the ``holidays`` package.
PUBLIC_HOLIDAY = "public_holiday"
VALBORG = "valborg"
MIDSUMMER_EVE = "midsummer_eve"
NIGHT_WALK_DAY = "night_walk_day"
HALLOWEEN = "halloween"
NEW_YEARS_EVE = "new_years_eve"
LAST_SCHOOL_DAY = "last_school_day"
#: School breaks: a municipality sets each one's ISO week (``planning.models.SchoolBreak``).
SPORTLOV = "sportlov"
PASKLOV = "pasklov"
HOSTLOV = "hostlov"
BREAK_KEYS = (SPORTLOV, PASKLOV, HOSTLOV)

#: The name of every key except ``PUBLIC_HOLIDAY`` (whose name depends on the day).
NAMES: dict[str, LazyString] = {
    VALBORG: _l("Valborgsmässoafton"),
    MIDSUMMER_EVE: _l("Midsommarafton"),
    NIGHT_WALK_DAY: _l("Nattvandringens dag"),
    HALLOWEEN: _l("Halloween"),
    NEW_YEARS_EVE: _l("Nyårsafton"),
    LAST_SCHOOL_DAY: _l("Skolavslutning"),
    SPORTLOV: _l("Sportlov"),
    PASKLOV: _l("Påsklov"),
    HOSTLOV: _l("Höstlov"),
}
KNOWN_KEYS = frozenset({PUBLIC_HOLIDAY, *NAMES})


@dataclass(frozen=True)
class SpecialNight:
    """One special night. Equality and hashing use ``day`` and ``key`` only.

    ``label`` is a lazy translatable string for the nights defined here, and the name from
    the ``holidays`` package in the reader's language for public holidays.
    """

    day: date
    key: str
    label: str | LazyString = field(compare=False)


def midsummer_eve(year: int) -> date:
    """Midsummer eve: the Friday between 19 and 25 June."""
    june_19 = date(year, 6, 19)
    return june_19 + timedelta(days=(4 - june_19.weekday()) % 7)


def night_walk_day(year: int) -> date:
    """The Nordic night-walk day (*Nattvandringens dag*): the second Saturday of September."""
    return date(year, 9, 1) + relativedelta(weekday=SA(+2))


#: The ``holidays`` package's language for each UI language (it names Swedish holidays in
#: Swedish and US English).
HOLIDAY_LANGUAGES = {"sv": "sv", "en": "en_US"}


def _public_holidays(year: int) -> list[SpecialNight]:
    # include_sundays=False is the default in holidays 0.109, but older and newer releases
    # have differed, so say it explicitly: plain Sundays are not special nights.
    language = HOLIDAY_LANGUAGES.get(current_language(), "sv")
    calendar = holidays.country_holidays("SE", years=year, language=language, include_sundays=False)
    return [SpecialNight(day, PUBLIC_HOLIDAY, name) for day, name in calendar.items()]


def special_nights(year: int, *, last_school_day: date | None = None) -> list[SpecialNight]:
    """All special nights of ``year``, sorted by date, without duplicate ``(day, key)``.

    ``last_school_day`` (*skolavslutning*) varies per municipality and is included only when
    it falls in ``year``.
    """
    nights = _public_holidays(year)
    nights += [
        SpecialNight(date(year, 4, 30), VALBORG, NAMES[VALBORG]),
        SpecialNight(midsummer_eve(year), MIDSUMMER_EVE, NAMES[MIDSUMMER_EVE]),
        SpecialNight(night_walk_day(year), NIGHT_WALK_DAY, NAMES[NIGHT_WALK_DAY]),
        SpecialNight(date(year, 10, 31), HALLOWEEN, NAMES[HALLOWEEN]),
        SpecialNight(date(year, 12, 31), NEW_YEARS_EVE, NAMES[NEW_YEARS_EVE]),
    ]
    if last_school_day is not None and last_school_day.year == year:
        nights.append(SpecialNight(last_school_day, LAST_SCHOOL_DAY, NAMES[LAST_SCHOOL_DAY]))
    unique: dict[tuple[date, str], SpecialNight] = {}
    for night in nights:
        unique.setdefault((night.day, night.key), night)
    return sorted(unique.values(), key=lambda n: (n.day, n.key))


def special_nights_between(
    start: date, end: date, *, last_school_day: date | None = None
) -> list[SpecialNight]:
    """Special nights with ``start <= day <= end`` (both included), sorted by date.

    An empty list when ``end`` is before ``start``.
    """
    if end < start:
        return []
    found: list[SpecialNight] = []
    for year in range(start.year, end.year + 1):
        found += [
            night
            for night in special_nights(year, last_school_day=last_school_day)
            if start <= night.day <= end
        ]
    return found


def night_label(key: str | None, day: date) -> str | LazyString | None:
    """The name of the special night ``key`` on ``day`` (None for no key).

    A public holiday is named by the ``holidays`` package for that day; a key this version
    does not know (a row written by a newer one) shows as itself rather than failing.
    """
    if not key:
        return None
    if key == PUBLIC_HOLIDAY:
        found = _public_holidays(day.year)
        return next((night.label for night in found if night.day == day), None)
    return NAMES.get(key, key)


def swedish_label(key: str | None, day: date) -> str | None:
    """``night_label`` in Swedish whatever the request's language (feeds are Swedish)."""
    with force_locale("sv"):
        label = night_label(key, day)
        return None if label is None else str(label)


def break_days(iso_week: int, start: date, end: date) -> list[list[date]]:
    """The weeks numbered ``iso_week`` (Monday to Sunday) that meet ``[start, end]``, each
    cut to the period. A week 53 exists only in some years; other years have none."""
    found: list[list[date]] = []
    for year in range(start.year - 1, end.year + 2):
        try:
            monday = date.fromisocalendar(year, iso_week, 1)
        except ValueError:
            continue
        days = [monday + timedelta(days=n) for n in range(7)]
        days = [day for day in days if start <= day <= end]
        if days:
            found.append(days)
    return found
