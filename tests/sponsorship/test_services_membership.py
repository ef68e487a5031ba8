"""Taking a municipality off an agreement, or withdrawing an association and enrolling it
again, after a payout: the next payout deducts nothing, the approved statement keeps its
walks, and only the evenings after the change stop counting."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlmodel import select

from nattvandring import clock
from nattvandring.associations.models import Association
from nattvandring.errors import RuleViolation
from nattvandring.sponsorship import services_membership as membership
from nattvandring.sponsorship import services_runs as runs
from nattvandring.sponsorship.models import AgreementAssociation, LineKind, PayoutLine
from nattvandring.sponsorship.run_checks import agreement_changed
from nattvandring.sponsorship.services_exports import walk_rows

from .conftest import agreement, approve_from_page, login_as, walk

ADULTS = [1980, 1981, 1982]
WALK_ORE = 150_000


def _on(day: date) -> None:
    clock.freeze(datetime(day.year, day.month, day.day, 10, tzinfo=UTC))


def _paid_march(session, world, place):
    """assoc_a (Hässleholm) walks on 6 March; the March payout is approved and paid."""
    _on(date(2026, 3, 7))
    deal = agreement(session, world)
    walk(session, **place["assoc_a"], evening=date(2026, 3, 6), birth_years=ADULTS)
    _on(date(2026, 4, 2))
    march = _run(session, deal, date(2026, 3, 1), date(2026, 3, 31))
    runs.approve(session, run=march, agreement=deal, actor_id=world.ids["liaison"])
    runs.mark_paid(session, run=march, paid_on=date(2026, 4, 2), reference="M-1")
    assert _amounts(session, march, world) == {LineKind.PERIOD: WALK_ORE}
    return deal, march


def _withdraw_a(session, world, deal):
    """assoc_a withdrawn by an admin (no municipality limit); returns its end day."""
    association = session.get(Association, world.ids["assoc_a"])
    return membership.withdraw(
        session, agreement=deal, association=association, allowed_municipality_ids=None
    )


def _run(session, deal, first, last):
    return runs.create_run(
        session, agreement=deal, period_start=first, period_end=last, actor_id=None
    )


def _amounts(session, run, world) -> dict[str, int]:
    lines = session.exec(
        select(PayoutLine).where(
            PayoutLine.run_id == run.id, PayoutLine.association_id == world.ids["assoc_a"]
        )
    ).all()
    return {line.kind: line.amount_ore for line in lines if line.amount_ore}


def _reasons(session, run, world) -> list[tuple[date, str]]:
    return [(row.evening, row.reason) for row in walk_rows(session, run, world.ids["assoc_a"])]


def test_taking_a_municipality_off_keeps_what_was_paid_and_the_evenings_before(db, world, place):
    deal, march = _paid_march(db, world, place)
    walk(db, **place["assoc_a"], evening=date(2026, 4, 3), birth_years=ADULTS)
    _on(date(2026, 4, 10))
    membership.set_municipalities(db, deal, [world.ids["bjuv"]])
    assert membership.municipality_ids(db, deal.id) == [world.ids["bjuv"]]
    walk(db, **place["assoc_a"], evening=date(2026, 4, 17), birth_years=ADULTS)
    _on(date(2026, 5, 2))
    april = _run(db, deal, date(2026, 4, 1), date(2026, 4, 30))
    # No deduction for March, the walk before the change is paid, the one after is not.
    assert _amounts(db, april, world) == {LineKind.PERIOD: WALK_ORE}
    assert _reasons(db, april, world) == [
        (date(2026, 4, 3), ""),
        (date(2026, 4, 17), "utanför avtalets kommuner"),
    ]
    # The paid statement still lists its walk as paid.
    assert _reasons(db, march, world) == [(date(2026, 3, 6), "")]
    # Covered again from today: the evenings in between stay uncovered.
    _on(date(2026, 5, 5))
    membership.set_municipalities(db, deal, [world.ids["bjuv"], world.ids["hassleholm"]])
    runs.recompute(db, run=april, agreement=deal)
    assert _amounts(db, april, world) == {LineKind.PERIOD: WALK_ORE}


def test_withdrawing_and_enrolling_again_keeps_what_was_paid(db, world, place):
    deal, march = _paid_march(db, world, place)
    association = db.get(Association, world.ids["assoc_a"])
    walk(db, **place["assoc_a"], evening=date(2026, 4, 3), birth_years=ADULTS)
    _on(date(2026, 4, 10))
    left_on = membership.withdraw(
        db, agreement=deal, association=association, allowed_municipality_ids=None
    )
    assert left_on == date(2026, 4, 10)
    walk(db, **place["assoc_a"], evening=date(2026, 4, 17), birth_years=ADULTS)
    _on(date(2026, 5, 1))
    membership.enrol(
        db, agreement=deal, association=association, joined_on=None, allowed_municipality_ids=None
    )
    walk(db, **place["assoc_a"], evening=date(2026, 5, 8), birth_years=ADULTS)
    _on(date(2026, 6, 2))
    spring = _run(db, deal, date(2026, 4, 1), date(2026, 5, 31))
    assert _amounts(db, spring, world) == {LineKind.PERIOD: 2 * WALK_ORE}
    assert _reasons(db, spring, world) == [
        (date(2026, 4, 3), ""),
        (date(2026, 4, 17), "föreningen hade lämnat avtalet"),
        (date(2026, 5, 8), ""),
    ]
    assert _reasons(db, march, world) == [(date(2026, 3, 6), "")]
    periods = db.exec(
        select(AgreementAssociation.joined_on, AgreementAssociation.left_on)
        .where(AgreementAssociation.association_id == world.ids["assoc_a"])
        .order_by(AgreementAssociation.id)
    ).all()
    assert [tuple(p) for p in periods] == [
        (date(2026, 1, 1), date(2026, 4, 10)),
        (date(2026, 5, 1), None),
    ]


def test_a_withdrawn_associations_late_report_is_still_paid(db, world, place):
    """A walk before the withdrawal, approved after it, is settled by the next payout."""
    deal, _march = _paid_march(db, world, place)
    _on(date(2026, 4, 10))
    _withdraw_a(db, world, deal)
    walk(db, **place["assoc_a"], evening=date(2026, 3, 20), birth_years=ADULTS)
    _on(date(2026, 5, 2))
    april = _run(db, deal, date(2026, 4, 1), date(2026, 4, 30))
    assert _amounts(db, april, world) == {LineKind.ADJUSTMENT: WALK_ORE}
    # Nothing left to settle: the next payout has no line for it.
    runs.approve(db, run=april, agreement=deal, actor_id=world.ids["liaison"])
    _on(date(2026, 6, 2))
    may = _run(db, deal, date(2026, 5, 1), date(2026, 5, 31))
    lines = db.exec(
        select(PayoutLine).where(
            PayoutLine.run_id == may.id, PayoutLine.association_id == world.ids["assoc_a"]
        )
    ).all()
    assert lines == []


def test_the_pages_withdraw_and_enrol_again(client, db, world, place):
    deal, _march = _paid_march(db, world, place)
    db.commit()
    _on(date(2026, 4, 10))
    login_as(client, world.emails["coord_h"])
    assoc = world.ids["assoc_a"]
    base = f"/sponsorship/agreements/{deal.id}/enrolments"
    withdrawn = client.post(f"{base}/{assoc}/delete", follow_redirects=True)
    page = withdrawn.get_data(as_text=True)
    assert "inte längre ansluten från och med 2026-04-10" in page
    assert "Tidigare anslutna" in page and "IFK Hässleholm: 2026-01-01 – 2026-04-09" in page
    again = client.post(base, data={"association_id": assoc, "joined_on": "2026-05-01"})
    assert again.status_code == 302
    twice = client.post(base, data={"association_id": assoc, "joined_on": "2026-05-01"})
    assert twice.status_code == 422
    assert "Tidigare anslutna" not in client.get(f"/sponsorship/agreements/{deal.id}").get_data(
        as_text=True
    )
    db.rollback()
    assert (
        len(
            db.exec(
                select(AgreementAssociation).where(AgreementAssociation.association_id == assoc)
            ).all()
        )
        == 2
    )


def _at(day: date, hour: int, minute: int) -> None:
    clock.freeze(clock.local_to_utc(day, time(hour, minute)))


def _april_30_walk(session, world, place):
    """assoc_a walks on 30 April, reported at 22:20."""
    _on(date(2026, 4, 1))
    deal = agreement(session, world)
    _at(date(2026, 4, 30), 22, 20)
    walk(session, **place["assoc_a"], evening=date(2026, 4, 30), birth_years=ADULTS)
    return deal


def _all_amounts(session, run) -> list[int]:
    return [
        line.amount_ore
        for line in session.exec(select(PayoutLine).where(PayoutLine.run_id == run.id)).all()
    ]


def test_a_draft_computed_before_a_withdrawal_is_computed_again_before_approval(db, world, place):
    deal = _april_30_walk(db, world, place)
    _at(date(2026, 4, 30), 22, 30)
    april = _run(db, deal, date(2026, 4, 1), date(2026, 4, 30))
    assert _amounts(db, april, world) == {LineKind.PERIOD: WALK_ORE}
    _at(date(2026, 4, 30), 22, 45)
    left_on = _withdraw_a(db, world, deal)
    assert left_on == date(2026, 4, 30)  # tonight no longer counts: no payout holds it
    with pytest.raises(RuleViolation) as refused:
        runs.approve(db, run=april, agreement=deal, actor_id=world.ids["liaison"])
    assert refused.value.code == "agreement_changed"
    _at(date(2026, 4, 30), 22, 50)
    runs.recompute(db, run=april, agreement=deal)
    runs.approve(db, run=april, agreement=deal, actor_id=world.ids["liaison"])
    assert _reasons(db, april, world) == [(date(2026, 4, 30), "föreningen hade lämnat avtalet")]
    _on(date(2026, 6, 2))
    may = _run(db, deal, date(2026, 5, 1), date(2026, 5, 31))
    assert all(amount >= 0 for amount in _all_amounts(db, may))


def test_a_payout_approved_tonight_keeps_tonights_walk(db, world, place):
    deal = _april_30_walk(db, world, place)
    _at(date(2026, 4, 30), 22, 30)
    april = _run(db, deal, date(2026, 4, 1), date(2026, 4, 30))
    runs.approve(db, run=april, agreement=deal, actor_id=world.ids["liaison"])
    _at(date(2026, 4, 30), 22, 45)
    for change in (
        lambda: _withdraw_a(db, world, deal),
        lambda: membership.set_municipalities(db, deal, [world.ids["bjuv"]]),
    ):
        change()
    assert _reasons(db, april, world) == [(date(2026, 4, 30), "")]
    _on(date(2026, 6, 2))
    may = _run(db, deal, date(2026, 5, 1), date(2026, 5, 31))
    assert all(amount >= 0 for amount in _all_amounts(db, may))
    enrolled = db.exec(
        select(AgreementAssociation.left_on).where(
            AgreementAssociation.association_id == world.ids["assoc_a"]
        )
    ).all()
    assert enrolled == [date(2026, 5, 1)]


def test_enrolling_from_a_settled_evening_is_refused(db, world, place):
    deal, _march = _paid_march(db, world, place)
    association = db.get(Association, world.ids["assoc_a"])
    _on(date(2026, 4, 10))
    membership.withdraw(db, agreement=deal, association=association, allowed_municipality_ids=None)
    with pytest.raises(RuleViolation) as refused:
        membership.enrol(
            db,
            agreement=deal,
            association=association,
            joined_on=date(2026, 3, 15),
            allowed_municipality_ids=None,
        )
    assert (refused.value.code, refused.value.field) == ("joined_before_settled", "joined_on")
    # From the first open evening on it is fine, and continues the ended period.
    membership.enrol(
        db,
        agreement=deal,
        association=association,
        joined_on=date(2026, 4, 3),
        allowed_municipality_ids=None,
    )
    periods = db.exec(
        select(AgreementAssociation.joined_on, AgreementAssociation.left_on).where(
            AgreementAssociation.association_id == world.ids["assoc_a"]
        )
    ).all()
    assert [tuple(p) for p in periods] == [(date(2026, 1, 1), None)]


def test_withdrawing_an_enrolment_that_has_not_begun_keeps_nothing(client, db, world, place):
    _on(date(2026, 4, 1))
    deal = agreement(db, world, enrol=("assoc_b",), joined_on=date(2026, 6, 1))
    db.commit()
    login_as(client, world.emails["coord_h"])
    page = client.post(
        f"/sponsorship/agreements/{deal.id}/enrolments/{world.ids['assoc_b']}/delete",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Scoutkåren är inte längre ansluten." in page
    assert "från och med" not in page and "Tidigare anslutna" not in page
    db.rollback()
    assert db.exec(select(AgreementAssociation)).all() == []


def test_the_run_pages_say_the_agreement_changed_since_the_computation(client, db, world, place):
    deal = _april_30_walk(db, world, place)
    _at(date(2026, 4, 30), 22, 30)
    april = _run(db, deal, date(2026, 4, 1), date(2026, 4, 30))
    db.commit()
    login_as(client, world.emails["liaison"])
    notice = "Avtalet har ändrats sedan beräkningen"
    assert notice not in client.get(f"/sponsorship/runs/{april.id}").get_data(as_text=True)
    _at(date(2026, 4, 30), 22, 45)
    membership.set_municipalities(db, deal, [world.ids["bjuv"]])
    db.commit()
    for url in (f"/sponsorship/runs/{april.id}", f"/sponsorship/runs/{april.id}/approve"):
        assert notice in client.get(url).get_data(as_text=True)
    refused = approve_from_page(client, april.id)
    assert refused.status_code == 422 and notice in refused.get_data(as_text=True)
    assert client.post(f"/sponsorship/runs/{april.id}/recompute").status_code == 302
    assert notice not in client.get(f"/sponsorship/runs/{april.id}").get_data(as_text=True)
    assert approve_from_page(client, april.id).status_code == 302


def test_the_liaisons_summary_keeps_a_withdrawn_association(client, db, world, place):
    deal, _march = _paid_march(db, world, place)
    _on(date(2026, 4, 10))
    _withdraw_a(db, world, deal)
    membership.set_municipalities(db, deal, [world.ids["bjuv"]])
    db.commit()
    login_as(client, world.emails["liaison"])
    assoc = world.ids["assoc_a"]
    year = "start=2026-01-01&end=2026-12-31"
    assert client.get(f"/sponsorship/?{year}&association={assoc}").status_code == 200
    summary = client.get(f"/sponsorship/summary.csv?{year}").get_data().decode("utf-8-sig")
    assert "IFK Hässleholm;" in summary and "2026-03-01" in summary


def test_a_change_in_the_same_instant_as_the_computation_still_needs_a_recompute(db, world, place):
    """The agreement's revision decides, not the clock (frozen here, as in the journeys)."""
    deal = _april_30_walk(db, world, place)
    _at(date(2026, 4, 30), 22, 30)
    april = _run(db, deal, date(2026, 4, 1), date(2026, 4, 30))
    assert not agreement_changed(db, april)
    membership.set_municipalities(db, deal, [world.ids["bjuv"]])
    assert agreement_changed(db, april)
    with pytest.raises(RuleViolation) as refused:
        runs.approve(db, run=april, agreement=deal, actor_id=world.ids["liaison"])
    assert refused.value.code == "agreement_changed"
    runs.recompute(db, run=april, agreement=deal)
    assert not agreement_changed(db, april)
    runs.approve(db, run=april, agreement=deal, actor_id=world.ids["liaison"])
