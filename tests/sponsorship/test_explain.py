"""Explanations of lines and terms read in the reader's language."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale, gettext

from nattvandring.sponsorship import explain
from nattvandring.sponsorship.earnings import Evening, Terms
from nattvandring.sponsorship.rules import PaymentRule

WEEKEND = Terms(date(2026, 1, 1), PaymentRule("per_weekend", 400_000, 5, 18), budget_ore=1)


def _details(**changes):
    evenings = [
        Evening(date(2026, 7, 24), "per_weekend", 0, 0, 1, 5, 1200),
        Evening(date(2026, 7, 25), "per_weekend", 1, 400_000, 1, 5, 1200),
        Evening(
            date(2026, 7, 31),
            "per_weekend",
            *(0, 0, 1, 5, 1200),
            lone_friday=True,
            saturday_may_come=True,
        ),
    ]
    values = {
        "last_day": date(2026, 7, 31),
        "earned_ore": 400_000,
        "amount_ore": 100_000,
        "cut_by_cap_ore": 0,
        "cut_by_budget_ore": 300_000,
    }
    values.update(changes)
    return explain.line_details([WEEKEND], "period", evenings, **values)


def test_swedish_text_is_stored_and_english_is_rendered(app):
    details = _details()
    assert explain.line_text(details) == (
        "1 helg (fre+lör) × 4 000 kr; 1 fredag räknas med lördagen i nästa utbetalning; "
        "budgeten räcker inte: 3 000 kr kvar att betala"
    )
    with app.test_request_context(), force_locale("en"):
        english = explain.line_text(details, gettext)
        rule = explain.describe_terms(WEEKEND, gettext)
        policy = explain.allocation_label("pro_rata", gettext)
    assert english == (
        "1 weekend (Fri+Sat) × 4 000 kr; 1 Friday counts with its Saturday in the next "
        "payout; the budget is short: 3 000 kr still to pay"
    )
    assert (
        rule == "4 000 kr per weekend (Friday and Saturday); at least 5 walkers, 18 years or older"
    )
    assert policy == "in proportion to what each association earned"


def test_adjustment_text_names_its_reason():
    details = explain.line_details(
        [WEEKEND],
        "adjustment",
        [],
        last_day=date(2026, 6, 30),
        earned_ore=-400_000,
        amount_ore=-400_000,
        cut_by_cap_ore=0,
        cut_by_budget_ore=0,
    )
    assert explain.line_text(details) == (
        "Justering för tidigare perioder: intjänat ändrat med -4 000 kr "
        "(sent godkända eller rättade rapporter)"
    )
