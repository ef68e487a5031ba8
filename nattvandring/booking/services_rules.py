"""The municipality's booking rules, edited by its coordinator."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from ..audit.services import record
from ..errors import RuleViolation
from ..i18n import _l
from ..municipalities.models import Municipality


@dataclass
class RulesInput:
    max_associations_per_shift: int
    monthly_booking_cap: int | None
    cancel_deadline_hours: int
    report_due_days: int
    allow_reserve_list: bool


FIELDS = (
    "max_associations_per_shift",
    "monthly_booking_cap",
    "cancel_deadline_hours",
    "report_due_days",
    "allow_reserve_list",
)


def validate_rules(data: RulesInput) -> None:
    if not 1 <= data.max_associations_per_shift <= 10:
        raise RuleViolation(
            "max_associations_range",
            _l("Antal föreningar per pass måste vara mellan 1 och 10."),
            field="max_associations_per_shift",
        )
    if data.monthly_booking_cap is not None and not 1 <= data.monthly_booking_cap <= 100:
        raise RuleViolation(
            "monthly_cap_range",
            _l("Taket per månad måste vara mellan 1 och 100, eller tomt för inget tak."),
            field="monthly_booking_cap",
        )
    if not 0 <= data.cancel_deadline_hours <= 720:
        raise RuleViolation(
            "cancel_deadline_range",
            _l("Avbokningsgränsen måste vara mellan 0 och 720 timmar."),
            field="cancel_deadline_hours",
        )
    if not 1 <= data.report_due_days <= 60:
        raise RuleViolation(
            "report_due_range",
            _l("Tiden för rapporten måste vara mellan 1 och 60 dagar."),
            field="report_due_days",
        )


def update_rules(
    session: Session, municipality: Municipality, *, data: RulesInput, actor_id: int | None
) -> list[str]:
    """Store the rules; returns the names of the fields that changed (audited)."""
    validate_rules(data)
    changed = []
    for name in FIELDS:
        old, new = getattr(municipality, name), getattr(data, name)
        if old != new:
            changed.append(f"{name}: {old} → {new}")
            setattr(municipality, name, new)
    session.add(municipality)
    session.flush()
    if changed:
        record(
            session,
            actor_id=actor_id,
            action="municipality.rules_changed",
            object_type="municipality",
            object_id=municipality.id,
            municipality_id=municipality.id,
            details="; ".join(changed),
        )
    return changed
