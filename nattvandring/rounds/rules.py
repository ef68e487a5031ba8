"""Pure rules of a new booking round: its input and the chosen nights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from .. import dates
from ..errors import RuleViolation
from ..i18n import _l


@dataclass
class RoundInput:
    name: str
    first_day: date
    last_day: date
    deadline: datetime  # aware UTC
    max_nights_per_association: int | None = None
    shift_ids: Sequence[int] | None = None  # chosen nights; None takes every free night


def chosen_nights(free: list[int | None], chosen: Sequence[int]) -> list[int | None]:
    """The chosen nights in calendar order; each must be one of the range's free nights."""
    wanted = set(chosen)
    if not wanted:
        raise RuleViolation("no_nights_chosen", _l("Välj minst en kväll."), field="shifts")
    if not wanted <= set(free):
        raise RuleViolation(
            "night_not_free",
            _l("Välj bland de lediga passen i perioden som börjar efter sista dag att önska."),
            field="shifts",
        )
    return [shift_id for shift_id in free if shift_id in wanted]


def check_input(data: RoundInput, moment: datetime) -> str:
    """The round's stripped name, once its period, deadline and cap are sound."""
    name = data.name.strip()
    if not name:
        raise RuleViolation("name_required", _l("Ge omgången ett namn."), field="name")
    dates.check_day(data.first_day, field="first_day")
    dates.check_day(data.last_day, field="last_day")
    if data.last_day < data.first_day:
        raise RuleViolation(
            "period_reversed", _l("Sista dagen kan inte vara före den första."), field="last_day"
        )
    if data.deadline <= moment:
        raise RuleViolation(
            "deadline_past", _l("Sista dag att önska måste ligga framåt i tiden."), field="deadline"
        )
    cap = data.max_nights_per_association
    if cap is not None and not 1 <= cap <= 100:
        raise RuleViolation(
            "max_nights_range",
            _l("Högsta antal kvällar per förening måste vara mellan 1 och 100, eller tomt."),
            field="max_nights_per_association",
        )
    return name
