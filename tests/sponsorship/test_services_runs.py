"""Payout runs computed from ledger rows written with the reports models."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from nattvandring import clock
from nattvandring.associations.models import Association
from nattvandring.errors import RuleViolation
from nattvandring.sponsorship import services_runs as runs
from nattvandring.sponsorship.models import LineKind, PayoutLine, RunStatus
from nattvandring.sponsorship.services_exports import run_lines, run_totals

from .conftest import agreement, correct_walker_out, walk

ADULTS = [1980, 1981, 1982]
MAY = datetime(2026, 5, 1, 8, tzinfo=UTC)


def _lines(db, run):
    return {(line.association_id, line.kind): line for line in run_lines(db, run.id)}


def test_run_from_ledger_pays_qualifying_walks_and_totals_equal_lines(db, world, place):
    clock.freeze(MAY)
    deal = agreement(db, world)
    for day in (6, 7, 13):  # three Fri/Sat evenings in March
        walk(db, **place["assoc_a"], evening=date(2026, 3, day), birth_years=ADULTS)
    walk(db, **place["assoc_a"], evening=date(2026, 3, 14), birth_years=[1980, 1981])  # one short
    walk(db, **place["assoc_a"], evening=date(2026, 3, 20), birth_years=[1980, 1981, 2010])
    walk(db, **place["assoc_c"], evening=date(2026, 3, 6), birth_years=ADULTS + [None])
    clock.freeze(datetime(2026, 5, 2, tzinfo=UTC))
    run = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        actor_id=world.ids["liaison"],
    )
    lines = _lines(db, run)
    a = lines[(world.ids["assoc_a"], LineKind.PERIOD)]
    assert (a.walks, a.walks_considered, a.walkers, a.amount_ore) == (3, 5, 9, 450_000)
    assert a.volunteer_minutes == 3 * 3 * 240
    assert a.explanation == "3 godkända vandringar × 1 500 kr"
    assert a.org_number and a.account_number and a.account_type == "bankgiro"
    c = lines[(world.ids["assoc_c"], LineKind.PERIOD)]
    assert (c.walks, c.walkers, c.amount_ore) == (1, 4, 150_000)
    b = lines[(world.ids["assoc_b"], LineKind.PERIOD)]
    assert (b.walks, b.amount_ore) == (0, 0)
    totals = run_totals(db, run.id)
    stored = db.exec(select(PayoutLine).where(PayoutLine.run_id == run.id)).all()
    assert totals.amount_ore == sum(line.amount_ore for line in stored) == 600_000
    assert totals.walks == sum(line.walks for line in stored) == 4


def test_walk_outside_period_or_municipalities_is_excluded(db, world, place):
    clock.freeze(MAY)
    deal = agreement(db, world, municipalities=("hassleholm",), valid_from=date(2026, 3, 1))
    walk(db, **place["assoc_a"], evening=date(2026, 2, 27), birth_years=ADULTS)  # before validity
    walk(db, **place["assoc_a"], evening=date(2026, 3, 6), birth_years=ADULTS)
    # IFK Hässleholm walking a night in Bjuv, which this agreement does not cover
    walk(
        db,
        **{
            **place["assoc_a"],
            "municipality_id": world.ids["bjuv"],
            "area_id": world.ids["area_b"],
        },
        evening=date(2026, 3, 7),
        birth_years=ADULTS,
    )
    clock.freeze(datetime(2026, 5, 2, tzinfo=UTC))
    run = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 2, 1),
        period_end=date(2026, 3, 31),
        actor_id=None,
    )
    a = _lines(db, run)[(world.ids["assoc_a"], LineKind.PERIOD)]
    assert (a.walks, a.walks_considered, a.amount_ore) == (1, 1, 150_000)


def test_walk_recorded_after_cutoff_waits_for_the_next_computation(db, world, place):
    clock.freeze(MAY)
    deal = agreement(db, world, enrol=("assoc_a",))
    walk(db, **place["assoc_a"], evening=date(2026, 3, 6), birth_years=ADULTS)
    run = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        actor_id=None,
    )  # cutoff == the entries' created_at: not yet counted
    assert run_totals(db, run.id).amount_ore == 0
    clock.freeze(datetime(2026, 5, 3, tzinfo=UTC))
    runs.recompute(db, run=run, agreement=deal)
    assert run_totals(db, run.id).amount_ore == 150_000


def test_cap_per_association_year_across_runs(db, world, place):
    clock.freeze(MAY)
    deal = agreement(db, world, enrol=("assoc_a",), cap_ore=400_000)
    for day in (6, 7, 13, 14):
        walk(db, **place["assoc_a"], evening=date(2026, 3, day), birth_years=ADULTS)
    for day in (3, 4):
        walk(db, **place["assoc_a"], evening=date(2026, 4, day), birth_years=ADULTS)
    clock.freeze(datetime(2026, 5, 2, tzinfo=UTC))
    march = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        actor_id=None,
    )
    line = _lines(db, march)[(world.ids["assoc_a"], LineKind.PERIOD)]
    assert (line.rule_amount_ore, line.amount_ore) == (600_000, 400_000)
    assert "taket för året nått" in line.explanation
    runs.approve(db, run=march, agreement=deal, actor_id=world.ids["liaison"])
    april = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 4, 1),
        period_end=date(2026, 4, 30),
        actor_id=None,
    )
    lines = run_lines(db, april.id)
    assert [(x.kind, x.amount_ore) for x in lines] == [(LineKind.PERIOD, 0)]
    assert "taket för året nått" in lines[0].explanation


def test_budget_across_runs(db, world, place):
    clock.freeze(MAY)
    deal = agreement(db, world, enrol=("assoc_a", "assoc_c"), budget_ore=500_000)
    for day in (6, 7, 13):
        walk(db, **place["assoc_a"], evening=date(2026, 3, day), birth_years=ADULTS)
        walk(db, **place["assoc_c"], evening=date(2026, 4, day), birth_years=ADULTS)
    clock.freeze(datetime(2026, 5, 2, tzinfo=UTC))
    march = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        actor_id=None,
    )
    assert run_totals(db, march.id).amount_ore == 450_000
    runs.approve(db, run=march, agreement=deal, actor_id=world.ids["admin"])
    april = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 4, 1),
        period_end=date(2026, 4, 30),
        actor_id=None,
    )
    c = _lines(db, april)[(world.ids["assoc_c"], LineKind.PERIOD)]
    assert (c.rule_amount_ore, c.amount_ore, c.cut_by_budget_ore) == (450_000, 50_000, 400_000)
    assert "budgeten räcker inte: 4 000 kr kvar att betala" in c.explanation


def test_approved_run_never_changes_and_correction_lands_in_next_run(db, world, place):
    clock.freeze(MAY)
    deal = agreement(db, world, enrol=("assoc_a",))
    first = walk(db, **place["assoc_a"], evening=date(2026, 3, 6), birth_years=ADULTS)
    walk(db, **place["assoc_a"], evening=date(2026, 3, 7), birth_years=ADULTS)
    walk(db, **place["assoc_a"], evening=date(2026, 4, 3), birth_years=ADULTS)
    clock.freeze(datetime(2026, 5, 2, tzinfo=UTC))
    march = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        actor_id=None,
    )
    runs.approve(db, run=march, agreement=deal, actor_id=world.ids["admin"])
    runs.mark_paid(db, run=march, paid_on=date(2026, 5, 5), reference="LF-2026-03")
    before = [(x.id, x.walks, x.amount_ore, x.explanation) for x in run_lines(db, march.id)]
    assert before[0][1:3] == (2, 300_000)

    # The coordinator corrects the 6 March report: one walker did not walk, so it no longer
    # has three walkers.
    correct_walker_out(db, first, recorded_at=datetime(2026, 5, 10, tzinfo=UTC))
    clock.freeze(datetime(2026, 5, 11, tzinfo=UTC))
    with pytest.raises(RuleViolation):
        runs.recompute(db, run=march, agreement=deal)
    db.expire_all()
    assert [(x.id, x.walks, x.amount_ore, x.explanation) for x in run_lines(db, march.id)] == before
    assert march.status == RunStatus.PAID

    april = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 4, 1),
        period_end=date(2026, 4, 30),
        actor_id=None,
    )
    lines = run_lines(db, april.id)
    assert [(x.kind, x.covers_start, x.walks, x.amount_ore) for x in lines] == [
        (LineKind.PERIOD, date(2026, 4, 1), 1, 150_000),
        (LineKind.ADJUSTMENT, date(2026, 1, 1), -1, -150_000),
    ]
    assert lines[1].covers_end == date(2026, 3, 31)
    assert lines[1].explanation == (
        "Justering för tidigare perioder: intjänat ändrat med -1 500 kr "
        "(sent godkända eller rättade rapporter)"
    )
    assert run_totals(db, april.id).amount_ore == 0
    # once April is approved the correction is settled: May has no further adjustment
    runs.approve(db, run=april, agreement=deal, actor_id=world.ids["admin"])
    may = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 5, 1),
        period_end=date(2026, 5, 31),
        actor_id=None,
    )
    assert [x.kind for x in run_lines(db, may.id)] == [LineKind.PERIOD]


def test_overlapping_run_and_period_outside_agreement_are_refused(db, world):
    clock.freeze(MAY)
    deal = agreement(db, world, valid_from=date(2026, 1, 1))
    runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        actor_id=None,
    )
    with pytest.raises(RuleViolation) as overlap:
        runs.create_run(
            db,
            agreement=deal,
            period_start=date(2026, 3, 15),
            period_end=date(2026, 4, 15),
            actor_id=None,
        )
    assert overlap.value.code == "overlapping_run"
    with pytest.raises(RuleViolation) as outside:
        runs.create_run(
            db,
            agreement=deal,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            actor_id=None,
        )
    assert outside.value.code == "outside_agreement"


def test_stale_draft_cannot_be_approved_and_paid_needs_approval(db, world, place):
    clock.freeze(MAY)
    deal = agreement(db, world, enrol=("assoc_a",), budget_ore=200_000)
    march = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        actor_id=None,
    )
    april = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 4, 1),
        period_end=date(2026, 4, 30),
        actor_id=None,
    )
    with pytest.raises(RuleViolation):
        runs.mark_paid(db, run=march, paid_on=date(2026, 5, 5), reference="x")
    clock.freeze(datetime(2026, 5, 2, tzinfo=UTC))
    runs.approve(db, run=march, agreement=deal, actor_id=world.ids["admin"])
    with pytest.raises(RuleViolation) as stale:
        runs.approve(db, run=april, agreement=deal, actor_id=world.ids["admin"])
    assert stale.value.code == "stale_run"
    clock.freeze(datetime(2026, 5, 3, tzinfo=UTC))
    runs.recompute(db, run=april, agreement=deal)
    runs.approve(db, run=april, agreement=deal, actor_id=world.ids["admin"])
    assert april.status == RunStatus.APPROVED


def test_a_payee_who_changed_account_after_the_computation_is_not_approved(app, db, world, place):
    """The lines copy the account when the run is computed; approved, they are paid as they
    stand. So a draft whose association changed account since is computed again first."""
    clock.freeze(MAY)
    deal = agreement(db, world, enrol=("assoc_a",))
    walk(db, **place["assoc_a"], evening=date(2026, 3, 6), birth_years=ADULTS)
    run = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        actor_id=None,
    )
    club = db.get(Association, world.ids["assoc_a"])
    club.account_type, club.account_number = "plusgiro", "4711-8"
    db.add(club)
    db.flush()
    with pytest.raises(RuleViolation) as changed:
        runs.approve(db, run=run, agreement=deal, actor_id=world.ids["admin"])
    assert changed.value.code == "payee_changed"
    with app.test_request_context():
        assert str(changed.value.message) == (
            f"{club.name} har bytt konto eller organisationsnummer sedan beräkningen. "
            "Räkna om först."
        )
    assert run.status == RunStatus.DRAFT

    clock.freeze(datetime(2026, 5, 2, tzinfo=UTC))
    runs.recompute(db, run=run, agreement=deal)
    runs.approve(db, run=run, agreement=deal, actor_id=world.ids["admin"])
    assert run.status == RunStatus.APPROVED
    line = _lines(db, run)[(world.ids["assoc_a"], LineKind.PERIOD)]
    assert (line.account_type, line.account_number, line.amount_ore) == (
        "plusgiro",
        "4711-8",
        150_000,
    )


def test_a_draft_computed_before_an_earlier_run_was_approved_is_computed_again(db, world, place):
    """The February draft counts January's open draft; once January is approved it would
    pay that walk a second time. Refused by the agreement's revision, not by timestamps:
    here the clock stands still, as in the journeys."""
    clock.freeze(datetime(2026, 3, 4, tzinfo=UTC))
    deal = agreement(db, world)
    for month in (1, 2):
        walk(db, **place["assoc_a"], evening=date(2026, month, 10), birth_years=ADULTS)
    clock.freeze(datetime(2026, 3, 5, tzinfo=UTC))
    january = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        actor_id=None,
    )
    february = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 2, 1),
        period_end=date(2026, 2, 28),
        actor_id=None,
    )
    runs.approve(db, run=january, agreement=deal, actor_id=world.ids["liaison"])
    with pytest.raises(RuleViolation) as refused:
        runs.approve(db, run=february, agreement=deal, actor_id=world.ids["liaison"])
    assert refused.value.code == "agreement_changed"
    runs.recompute(db, run=february, agreement=deal)
    runs.approve(db, run=february, agreement=deal, actor_id=world.ids["liaison"])
    paid = db.exec(
        select(PayoutLine.amount_ore).where(PayoutLine.association_id == world.ids["assoc_a"])
    ).all()
    assert sum(paid) == 2 * 150_000
