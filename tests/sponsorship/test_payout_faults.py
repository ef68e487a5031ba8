"""The faults of issue #18, each as found over a real year, against the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from nattvandring import clock
from nattvandring.errors import RuleViolation
from nattvandring.sponsorship import services_runs as runs
from nattvandring.sponsorship import services_terms as terms
from nattvandring.sponsorship.models import LineKind
from nattvandring.sponsorship.rules import PaymentRule
from nattvandring.sponsorship.services_exports import run_lines, run_totals

from .conftest import agreement, walk

FIVE = [1980, 1981, 1982, 1983, 1984]
ADULTS = [1980, 1981, 1982]
WEEKEND = PaymentRule("per_weekend", amount_ore=400_000, min_walkers=5, min_age=18)
PACKAGES = PaymentRule("per_package", packages=((10, 1_200_000), (5, 500_000)))


def _run(db, deal, first: date, last: date, *, approve: bool = True):
    run = runs.create_run(db, agreement=deal, period_start=first, period_end=last, actor_id=None)
    if approve:
        runs.approve(db, run=run, agreement=deal, actor_id=1)
    return run


def _paid(db, run) -> int:
    return run_totals(db, run.id).amount_ore


def test_a_weekend_split_across_two_runs_is_paid_once_in_the_run_of_its_saturday(db, world, place):
    clock.freeze(datetime(2026, 6, 1, tzinfo=UTC))
    deal = agreement(db, world, enrol=("assoc_a",), rule=WEEKEND)
    walk(db, **place["assoc_a"], evening=date(2026, 7, 31), birth_years=FIVE)  # Friday
    walk(db, **place["assoc_a"], evening=date(2026, 8, 1), birth_years=FIVE)  # Saturday
    clock.freeze(datetime(2026, 9, 2, tzinfo=UTC))
    july = _run(db, deal, date(2026, 7, 1), date(2026, 7, 31))
    [line] = run_lines(db, july.id)
    assert line.amount_ore == 0
    assert "1 fredag räknas med lördagen i nästa utbetalning" in line.explanation
    august = _run(db, deal, date(2026, 8, 1), date(2026, 8, 31))
    [line] = run_lines(db, august.id)
    assert (line.kind, line.amount_ore) == (LineKind.PERIOD, 400_000)
    assert line.explanation == "1 helg (fre+lör) × 4 000 kr"
    september = _run(db, deal, date(2026, 9, 1), date(2026, 9, 30))
    assert _paid(db, september) == 0  # paid once


def test_a_change_of_rate_applies_from_its_date_and_never_repays_history(db, world, place):
    clock.freeze(datetime(2026, 2, 1, tzinfo=UTC))
    rate = PaymentRule("per_walk", amount_ore=150_000, min_walkers=3)
    deal = agreement(db, world, enrol=("assoc_a",), rule=rate)
    for evening in (date(2026, 2, 13), date(2026, 3, 13), date(2026, 4, 10), date(2026, 5, 8)):
        walk(db, **place["assoc_a"], evening=evening, birth_years=ADULTS)
    clock.freeze(datetime(2026, 6, 1, tzinfo=UTC))
    spring = _run(db, deal, date(2026, 2, 1), date(2026, 3, 31))
    april = _run(db, deal, date(2026, 4, 1), date(2026, 4, 30))
    assert (_paid(db, spring), _paid(db, april)) == (300_000, 150_000)
    raised = terms.TermsInput(PaymentRule("per_walk", 200_000, 3), None, None)
    with pytest.raises(RuleViolation) as settled:
        terms.add_version(
            db, agreement=deal, terms=raised, valid_from=date(2026, 4, 1), actor_id=None
        )
    assert settled.value.code == "terms_in_settled_period"
    assert terms.first_changeable_day(db, deal) == date(2026, 5, 1)
    # What the change does to the open period is shown before it is saved.
    [effect] = terms.preview(db, agreement=deal, terms=raised, valid_from=date(2026, 5, 1))
    assert (effect.first, effect.before_ore, effect.after_ore) == (
        date(2026, 5, 1),
        150_000,
        200_000,
    )
    terms.add_version(db, agreement=deal, terms=raised, valid_from=date(2026, 5, 1), actor_id=None)
    may = _run(db, deal, date(2026, 5, 1), date(2026, 5, 31))
    assert [(x.kind, x.amount_ore) for x in run_lines(db, may.id)] == [(LineKind.PERIOD, 200_000)]
    # lowering the rate takes nothing back either
    lowered = terms.TermsInput(PaymentRule("per_walk", 100_000, 3), None, None)
    terms.add_version(db, agreement=deal, terms=lowered, valid_from=date(2026, 6, 1), actor_id=None)
    june = _run(db, deal, date(2026, 6, 1), date(2026, 6, 30))
    assert [(x.kind, x.amount_ore) for x in run_lines(db, june.id)] == [(LineKind.PERIOD, 0)]
    assert [v.valid_from for v in terms.versions(db, deal)] == [
        date(2026, 1, 1),
        date(2026, 5, 1),
        date(2026, 6, 1),
    ]


def test_packages_carry_over_across_runs(db, world, place):
    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    deal = agreement(db, world, enrol=("assoc_a",), rule=PACKAGES)
    start = date(2026, 5, 1)
    for i in range(16):  # eight in May, eight in June
        evening = start + timedelta(days=4 * i)
        walk(db, **place["assoc_a"], evening=evening, birth_years=ADULTS)
    clock.freeze(datetime(2026, 7, 5, tzinfo=UTC))
    may = _run(db, deal, date(2026, 5, 1), date(2026, 5, 31))
    june = _run(db, deal, date(2026, 6, 1), date(2026, 6, 30))
    assert (_paid(db, may), _paid(db, june)) == (500_000, 1_200_000)
    [line] = run_lines(db, june.id)
    assert "16 räknade mot paketen (1 paket om 10 + 1 paket om 5)" in line.explanation


def test_the_same_walks_pay_the_same_as_one_run(db, world, place):
    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    deal = agreement(db, world, enrol=("assoc_a",), rule=PACKAGES)
    start = date(2026, 5, 1)
    for i in range(16):
        walk(db, **place["assoc_a"], evening=start + timedelta(days=4 * i), birth_years=ADULTS)
    clock.freeze(datetime(2026, 7, 5, tzinfo=UTC))
    whole = _run(db, deal, date(2026, 5, 1), date(2026, 6, 30), approve=False)
    assert _paid(db, whole) == 1_700_000


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        # by walk date: A and C walked in March, B only in April, so B is cut, whatever
        # the names ("Bjuvs IF" would come before "IFK Hässleholm" in name order)
        ("by_date", {"assoc_a": 600_000, "assoc_c": 150_000, "assoc_b": 0}),
        # pro rata to 600 000 / 150 000 / 300 000 of 1 050 000, largest remainder to the öre
        ("pro_rata", {"assoc_a": 428_571, "assoc_c": 107_143, "assoc_b": 214_286}),
    ],
)
def test_a_short_budget_is_shared_by_the_stated_policy_never_by_name(
    db, world, place, policy, expected
):
    clock.freeze(datetime(2026, 3, 1, tzinfo=UTC))
    deal = agreement(db, world, budget_ore=750_000)
    terms.add_version(
        db,
        agreement=deal,
        terms=terms.TermsInput(
            PaymentRule("per_walk", amount_ore=150_000, min_walkers=3, min_age=18),
            750_000,
            None,
            policy,
        ),
        valid_from=date(2026, 1, 1),
        actor_id=None,
    )
    for day in (6, 7, 13, 20):
        walk(db, **place["assoc_a"], evening=date(2026, 3, day), birth_years=ADULTS)
    walk(db, **place["assoc_c"], evening=date(2026, 3, 14), birth_years=ADULTS)
    for day in (3, 4):
        walk(db, **place["assoc_b"], evening=date(2026, 4, day), birth_years=ADULTS)
    clock.freeze(datetime(2026, 5, 2, tzinfo=UTC))
    run = _run(db, deal, date(2026, 3, 1), date(2026, 4, 30), approve=False)
    paid = {line.association_id: line.amount_ore for line in run_lines(db, run.id)}
    assert paid == {world.ids[key]: amount for key, amount in expected.items()}
    assert sum(paid.values()) == 750_000
    cut = {line.association_id: line.cut_by_budget_ore for line in run_lines(db, run.id)}
    earned = {"assoc_a": 600_000, "assoc_b": 300_000, "assoc_c": 150_000}
    assert cut == {world.ids[k]: earned[k] - expected[k] for k in earned}
