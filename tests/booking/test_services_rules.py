"""Municipality booking rules edited by the coordinator."""

from __future__ import annotations

import pytest
from sqlmodel import select

from nattvandring.audit.models import AuditEntry
from nattvandring.booking.services_rules import RulesInput, update_rules
from nattvandring.errors import RuleViolation
from nattvandring.municipalities.models import Municipality


def _rules(**overrides) -> RulesInput:  # type: ignore[no-untyped-def]
    values = dict(
        max_associations_per_shift=1,
        monthly_booking_cap=None,
        cancel_deadline_hours=72,
        report_due_days=7,
        allow_reserve_list=True,
    )
    values.update(overrides)
    return RulesInput(**values)


def test_update_rules_stores_and_audits_changes(app, world, db):
    municipality = db.get(Municipality, world.ids["hassleholm"])
    changed = update_rules(
        db,
        municipality,
        data=_rules(monthly_booking_cap=4, cancel_deadline_hours=48, allow_reserve_list=False),
        actor_id=world.ids["coord_h"],
    )
    db.commit()
    stored = db.get(Municipality, municipality.id)
    assert (stored.monthly_booking_cap, stored.cancel_deadline_hours) == (4, 48)
    assert stored.allow_reserve_list is False
    assert len(changed) == 3
    entry = db.exec(
        select(AuditEntry).where(AuditEntry.action == "municipality.rules_changed")
    ).one()
    assert "cancel_deadline_hours: 72 → 48" in entry.details
    # Setting the cap back to blank means no cap.
    update_rules(db, stored, data=_rules(), actor_id=None)
    assert db.get(Municipality, municipality.id).monthly_booking_cap is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"max_associations_per_shift": 0}, "max_associations_per_shift"),
        ({"max_associations_per_shift": 11}, "max_associations_per_shift"),
        ({"monthly_booking_cap": 0}, "monthly_booking_cap"),
        ({"cancel_deadline_hours": -1}, "cancel_deadline_hours"),
        ({"cancel_deadline_hours": 721}, "cancel_deadline_hours"),
        ({"report_due_days": 0}, "report_due_days"),
    ],
)
def test_rule_ranges(app, world, db, overrides, field):
    municipality = db.get(Municipality, world.ids["hassleholm"])
    with pytest.raises(RuleViolation) as caught:
        update_rules(db, municipality, data=_rules(**overrides), actor_id=None)
    assert caught.value.field == field
    db.rollback()
    assert db.get(Municipality, municipality.id).max_associations_per_shift == 1
