"""Checks of a draft run (nattvandring.sponsorship.run_checks) and the warnings they show."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from nattvandring import clock
from nattvandring.associations.models import Association
from nattvandring.sponsorship import run_checks
from nattvandring.sponsorship import services_runs as runs
from nattvandring.sponsorship.models import AgreementAssociation, AgreementMunicipality
from tests.support.queries import count_queries

from .conftest import agreement, login_as, walk

ADULTS = [1980, 1981, 1982]


def _march_run(db, deal):
    clock.freeze(datetime(2026, 4, 2, tzinfo=UTC))
    return runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        actor_id=None,
    )


def test_a_run_names_the_associations_another_agreement_of_the_sponsor_also_pays(
    client, db, world, place
):
    """A renewal made to begin too early: both agreements pay assoc_a's March walk."""
    clock.freeze(datetime(2026, 2, 1, tzinfo=UTC))
    deal = agreement(db, world, enrol=("assoc_a", "assoc_b"))
    renewal = agreement(
        db, world, enrol=("assoc_a",), valid_from=date(2026, 3, 1), joined_on=date(2026, 3, 1)
    )
    renewal.name = "Trygghetsvandring 2027"
    walk(db, **place["assoc_a"], evening=date(2026, 3, 6), birth_years=ADULTS)
    walk(db, **place["assoc_b"], evening=date(2026, 3, 7), birth_years=ADULTS)
    run = _march_run(db, deal)
    name_a = db.get(Association, world.ids["assoc_a"]).name
    assert run_checks.also_enrolled(db, run) == [(name_a, "Trygghetsvandring 2027")]
    db.commit()

    login_as(client, world.emails["liaison"])
    for page in (f"/sponsorship/runs/{run.id}", f"/sponsorship/runs/{run.id}/approve"):
        html = client.get(page).get_data(as_text=True)
        assert f"{name_a}, även i avtalet Trygghetsvandring 2027" in html
    # A warning, not a refusal: the liaison may mean both agreements to pay.
    runs.approve(db, run=run, agreement=deal, actor_id=world.ids["liaison"])


def test_no_warning_when_the_other_enrolment_ended_before_the_period(db, world, place):
    clock.freeze(datetime(2026, 1, 10, tzinfo=UTC))
    deal = agreement(db, world, enrol=("assoc_a",))
    earlier = agreement(db, world, enrol=("assoc_a",))
    enrolment = db.exec(
        select(AgreementAssociation).where(AgreementAssociation.agreement_id == earlier.id)
    ).one()
    enrolment.left_on = date(2026, 3, 1)  # the last evening was 28 February
    walk(db, **place["assoc_a"], evening=date(2026, 3, 6), birth_years=ADULTS)
    assert run_checks.also_enrolled(db, _march_run(db, deal)) == []


def _enrolment(db, deal) -> AgreementAssociation:
    return db.exec(
        select(AgreementAssociation).where(AgreementAssociation.agreement_id == deal.id)
    ).one()


def test_no_warning_for_a_renewal_that_begins_the_day_after_the_agreement_ends(db, world, place):
    clock.freeze(datetime(2026, 1, 10, tzinfo=UTC))
    deal = agreement(db, world, enrol=("assoc_a",))
    deal.valid_to = date(2026, 3, 15)
    agreement(
        db, world, enrol=("assoc_a",), valid_from=date(2026, 3, 16), joined_on=date(2026, 3, 16)
    )
    walk(db, **place["assoc_a"], evening=date(2026, 3, 6), birth_years=ADULTS)
    assert run_checks.also_enrolled(db, _march_run(db, deal)) == []


def test_no_warning_when_the_association_moved_from_one_agreement_to_the_other(db, world, place):
    clock.freeze(datetime(2026, 1, 10, tzinfo=UTC))
    deal = agreement(db, world, enrol=("assoc_a",))
    _enrolment(db, deal).left_on = date(2026, 3, 15)  # the last evening is 14 March
    agreement(db, world, enrol=("assoc_a",), joined_on=date(2026, 3, 15))
    walk(db, **place["assoc_a"], evening=date(2026, 3, 6), birth_years=ADULTS)
    assert run_checks.also_enrolled(db, _march_run(db, deal)) == []


def test_no_warning_when_the_other_agreement_no_longer_covers_the_town(db, world, place):
    clock.freeze(datetime(2026, 1, 10, tzinfo=UTC))
    deal = agreement(db, world, enrol=("assoc_a",))
    other = agreement(db, world, enrol=("assoc_a",))
    for row in db.exec(
        select(AgreementMunicipality).where(AgreementMunicipality.agreement_id == other.id)
    ):
        row.covered_until = date(2026, 3, 1)
    walk(db, **place["assoc_a"], evening=date(2026, 3, 6), birth_years=ADULTS)
    assert run_checks.also_enrolled(db, _march_run(db, deal)) == []


def test_the_warning_reads_as_many_statements_with_one_other_agreement_as_with_four(
    app, db, world, place
):
    clock.freeze(datetime(2026, 1, 10, tzinfo=UTC))
    deal = agreement(db, world, enrol=("assoc_a", "assoc_b"))
    walk(db, **place["assoc_a"], evening=date(2026, 3, 6), birth_years=ADULTS)
    walk(db, **place["assoc_b"], evening=date(2026, 3, 7), birth_years=ADULTS)
    run = _march_run(db, deal)
    counts = []
    for _ in range(4):
        agreement(db, world, enrol=("assoc_a", "assoc_b"))
        db.flush()
        with count_queries(app) as counter:
            warned = run_checks.also_enrolled(db, run)
        counts.append(counter.count)
    assert len(warned) == 2 * 4
    assert len(set(counts)) == 1
