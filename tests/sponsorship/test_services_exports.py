"""Export rows (nattvandring.sponsorship.services_exports): the totals row of a sheet is
what Excel's SUM of its column gives."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from flask_babel import force_locale, gettext
from sqlmodel import select

from nattvandring import clock
from nattvandring.sponsorship import explain, services_terms
from nattvandring.sponsorship import services_runs as runs
from nattvandring.sponsorship.models import AgreementAssociation, AgreementMunicipality
from nattvandring.sponsorship.rules import PaymentRule
from nattvandring.sponsorship.services_exports import run_lines, run_rows, summary_rows, walk_rows

from .conftest import agreement, login_as, walk


def test_the_hours_total_adds_the_rounded_rows(app, db, world, place):
    for month in (3, 4, 5):  # 20 minutes a month: 0.33 h each, 1.00 h exactly
        walk(db, **place["assoc_a"], evening=date(2026, month, 6), birth_years=[1980], minutes=20)
    totals: list = []
    with app.test_request_context():
        rows = list(
            summary_rows(
                db,
                association_ids=[world.ids["assoc_a"]],
                start=date(2026, 1, 1),
                end=date(2026, 12, 31),
                municipality_ids=None,
                totals=totals,
            )
        )
    assert [row[-1] for row in rows] == [Decimal("0.33")] * 3
    assert totals[-1] == sum(row[-1] for row in rows) == Decimal("0.99")


def test_a_runs_hours_total_adds_the_rounded_lines(app, db, world, place):
    clock.freeze(datetime(2026, 4, 1, tzinfo=UTC))
    deal = agreement(db, world, rule=PaymentRule("per_walk", 10_000, min_walkers=1, min_age=0))
    for key, day in (("assoc_a", 6), ("assoc_b", 7), ("assoc_c", 6)):
        walk(db, **place[key], evening=date(2026, 3, day), birth_years=[1980], minutes=20)
    clock.freeze(datetime(2026, 4, 2, tzinfo=UTC))
    run = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        actor_id=None,
    )
    totals: list = []
    with app.test_request_context():
        rows = list(run_rows(db, run.id, totals))
    hours_column = 9  # Volontärtimmar
    assert [row[hours_column] for row in rows] == [Decimal("0.33")] * 3
    assert totals[hours_column] == Decimal("0.99")


def test_the_hour_summary_counts_only_walks_an_agreement_covers(app, client, db, world, place):
    """assoc_a enrolled from 1 February in an agreement covering Hässleholm: its January
    walk (before it joined) and its walk in Bjuv (not covered) are not the sponsor's."""
    clock.freeze(datetime(2026, 3, 1, tzinfo=UTC))
    deal = agreement(
        db, world, enrol=("assoc_a",), municipalities=("hassleholm",), joined_on=date(2026, 2, 1)
    )
    own = place["assoc_a"]
    in_bjuv = {**own, "municipality_id": world.ids["bjuv"], "area_id": world.ids["area_b"]}
    walked = ((own, date(2026, 1, 9)), (own, date(2026, 2, 6)), (in_bjuv, date(2026, 2, 7)))
    for where, day in walked:
        walk(db, **where, evening=day, birth_years=[1980])
    db.commit()

    def months(**kwargs) -> list[tuple[str, int]]:
        with app.test_request_context():
            found = summary_rows(
                db,
                association_ids=[world.ids["assoc_a"]],
                start=date(2026, 1, 1),
                end=date(2026, 12, 31),
                municipality_ids=None,
                **kwargs,
            )
            return [(row[3].isoformat()[:7], row[4]) for row in found]

    assert months() == [("2026-01", 1), ("2026-02", 2)]
    assert months(agreement_ids=[deal.id]) == [("2026-02", 1)]
    login_as(client, world.emails["liaison"])
    body = client.get("/sponsorship/summary.csv?start=2026-01-01&end=2026-12-31").get_data()
    rows = body.decode("utf-8-sig").splitlines()[1:]
    assert [row.split(";")[3:5] for row in rows] == [["2026-02-01", "1"]]


WEEKEND = PaymentRule("per_weekend", 350_000, min_walkers=3, min_age=18)
ADULTS = [1980, 1981, 1982]


def _run_paying(db, deal, association_id: int, first: date, last: date):
    """A run over ``first..last`` made two days after it, and what it pays the association."""
    clock.freeze(datetime(last.year, last.month, last.day, 12, tzinfo=UTC) + timedelta(days=2))
    run = runs.create_run(db, agreement=deal, period_start=first, period_end=last, actor_id=None)
    lines = run_lines(db, run.id)
    return run, sum(line.amount_ore for line in lines if line.association_id == association_id)


def test_a_statement_marks_only_the_walks_a_weekend_rule_pays_as_counting(db, world, place):
    """Under a weekend rule an evening that qualifies can still earn nothing: a Friday or a
    Saturday without its other half. The statement's walk table says so, and what it marks
    as counting is what the run pays."""
    assoc = world.ids["assoc_a"]
    clock.freeze(datetime(2026, 2, 1, tzinfo=UTC))
    deal = agreement(db, world, enrol=("assoc_a",), rule=WEEKEND)
    for day in (6, 7, 13, 21, 27, 28):  # Fri 6 + Sat 7; Fri 13; Sat 21; Fri 27 + Sat 28
        walk(db, **place["assoc_a"], evening=date(2026, 3, day), birth_years=ADULTS)

    # The first run ends on Friday 27 March: that Friday waits for its Saturday.
    first, first_paid = _run_paying(db, deal, assoc, date(2026, 3, 1), date(2026, 3, 27))
    assert [(row.evening.day, row.reason) for row in walk_rows(db, first, assoc)] == [
        (6, ""),
        (7, ""),
        (13, "kväll utan komplett helg"),
        (21, "kväll utan komplett helg"),
        (27, "räknas med lördagen i nästa utbetalning"),
    ]
    assert first_paid == 350_000  # one weekend
    runs.approve(db, run=first, agreement=deal, actor_id=world.ids["liaison"])

    # The next run begins with the Saturday that completes the weekend: it counts.
    second, second_paid = _run_paying(db, deal, assoc, date(2026, 3, 28), date(2026, 4, 30))
    assert [(row.evening, row.reason) for row in walk_rows(db, second, assoc)] == [
        (date(2026, 3, 28), "")
    ]
    assert second_paid == 350_000


def test_the_weekend_reasons_read_in_english(app):
    with app.test_request_context(), force_locale("en"):
        lone = explain.reason_text("kväll utan komplett helg", gettext)
        waiting = explain.reason_text("räknas med lördagen i nästa utbetalning", gettext)
    assert lone == "evening without a complete weekend"
    assert waiting == "counts with its Saturday in the next payout"


def _line_text(db, run, assoc: int) -> str:
    lines = [line for line in run_lines(db, run.id) if line.association_id == assoc]
    return " ".join(explain.line_text(line.details) for line in lines if line.details)


def _reasons(db, run, assoc: int) -> dict[int, str]:
    return {row.evening.day: row.reason for row in walk_rows(db, run, assoc)}


def _weekend_deal(db, world, place, days: tuple[int, ...]):
    clock.freeze(datetime(2026, 2, 1, tzinfo=UTC))
    deal = agreement(db, world, enrol=("assoc_a",), rule=WEEKEND)
    for day in days:
        walk(db, **place["assoc_a"], evening=date(2026, 3, day), birth_years=ADULTS)
    return deal


def test_a_friday_whose_saturday_falls_under_an_hour_rule_is_lone(db, world, place):
    deal = _weekend_deal(db, world, place, (6, 7))
    hourly = services_terms.TermsInput(PaymentRule("per_hour", 10_000, 3, 18), None, None)
    services_terms.add_version(
        db, agreement=deal, terms=hourly, valid_from=date(2026, 3, 7), actor_id=None
    )
    assoc = world.ids["assoc_a"]
    run, _paid = _run_paying(db, deal, assoc, date(2026, 3, 1), date(2026, 3, 31))
    assert _reasons(db, run, assoc)[6] == "kväll utan komplett helg"
    assert "1 kväll utan komplett helg ersätts inte" in _line_text(db, run, assoc)


def test_the_first_run_after_settled_through_counts_from_the_day_after(db, world, place):
    """Runs before versioned terms settled every evening to ``settled_through`` (here Friday
    27 March): a Saturday after it completes no weekend, as the run pays."""
    deal = _weekend_deal(db, world, place, (27, 28))
    deal.settled_through = date(2026, 3, 27)
    assoc = world.ids["assoc_a"]
    run, paid = _run_paying(db, deal, assoc, date(2026, 3, 28), date(2026, 4, 30))
    assert paid == 0
    assert _reasons(db, run, assoc) == {28: "kväll utan komplett helg"}


def test_a_friday_with_no_saturday_left_in_the_agreement_is_lone_not_waiting(db, world, place):
    deal = _weekend_deal(db, world, place, (27,))
    deal.valid_to = date(2026, 3, 27)  # the agreement ends on that Friday
    assoc = world.ids["assoc_a"]
    run, _paid = _run_paying(db, deal, assoc, date(2026, 3, 1), date(2026, 3, 31))
    assert _reasons(db, run, assoc) == {27: "kväll utan komplett helg"}
    text = _line_text(db, run, assoc)
    assert "kväll utan komplett helg ersätts inte" in text and "nästa utbetalning" not in text


def test_a_friday_before_the_association_leaves_is_lone_not_waiting(db, world, place):
    deal = _weekend_deal(db, world, place, (27,))
    enrolment = db.exec(
        select(AgreementAssociation).where(AgreementAssociation.agreement_id == deal.id)
    ).one()
    enrolment.left_on = date(2026, 3, 28)  # Friday 27 is its last enrolled evening
    assoc = world.ids["assoc_a"]
    run, _paid = _run_paying(db, deal, assoc, date(2026, 3, 1), date(2026, 3, 27))
    assert _reasons(db, run, assoc) == {27: "kväll utan komplett helg"}
    assert "nästa utbetalning" not in _line_text(db, run, assoc)


def test_a_friday_before_the_town_leaves_the_agreement_is_lone_not_waiting(db, world, place):
    deal = _weekend_deal(db, world, place, (27,))
    for row in db.exec(
        select(AgreementMunicipality).where(AgreementMunicipality.agreement_id == deal.id)
    ):
        row.covered_until = date(2026, 3, 28)  # no town is covered from Saturday 28
    assoc = world.ids["assoc_a"]
    run, _paid = _run_paying(db, deal, assoc, date(2026, 3, 1), date(2026, 3, 27))
    assert _reasons(db, run, assoc) == {27: "kväll utan komplett helg"}
    assert "nästa utbetalning" not in _line_text(db, run, assoc)
