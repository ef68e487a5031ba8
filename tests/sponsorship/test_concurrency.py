"""Two changes of one agreement at once, each in its own transaction.

Whichever takes the agreement's row lock first, the other acts on what it committed: a
withdrawal after an approval applies from the first evening the payout left open; an
approval after a withdrawal is refused until the draft is computed again; a draft approved
meanwhile is neither computed again nor deleted; new terms may not reach back into what it
settled. One transaction holds its lock while the other starts, so the order is forced, not
left to chance. On SQLite every write transaction waits for the other; on PostgreSQL only
the lock makes the second one wait.
"""

from __future__ import annotations

import threading
import time as wall_clock
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, time

import pytest
from sqlmodel import select

from nattvandring import clock
from nattvandring.accounts.models import User
from nattvandring.associations.models import Association
from nattvandring.db import get_engine, session_scope
from nattvandring.errors import RuleViolation
from nattvandring.reports import ledger
from nattvandring.sponsorship import services_membership as membership
from nattvandring.sponsorship import services_runs as runs
from nattvandring.sponsorship import services_terms as terms
from nattvandring.sponsorship.models import PayoutLine, PayoutRun, RunStatus, SponsorAgreement
from nattvandring.sponsorship.rules import PaymentRule
from nattvandring.sponsorship.services_exports import walk_rows

from .conftest import agreement, approved_report, end_agreement, walk

ADULTS = [1980, 1981, 1982]
APRIL_30 = date(2026, 4, 30)
#: Long enough for the second transaction to reach the lock if nothing held it back.
HEAD_START_SECONDS = 0.5


def _at(hour: int, minute: int) -> None:
    clock.freeze(clock.local_to_utc(APRIL_30, time(hour, minute)))


@pytest.fixture
def april(db, world, place) -> tuple[int, int]:
    """assoc_a walks on 30 April; the April draft is computed at 22:30. Committed, so that
    other transactions see it; returns the agreement's and the draft's ids."""
    clock.freeze(clock.local_to_utc(date(2026, 4, 1), time(12)))
    deal = agreement(db, world)
    _at(22, 20)
    walk(db, **place["assoc_a"], evening=APRIL_30, birth_years=ADULTS)
    _at(22, 30)
    draft = runs.create_run(
        db, agreement=deal, period_start=date(2026, 4, 1), period_end=APRIL_30, actor_id=None
    )
    db.commit()
    _at(22, 45)
    return deal.id, draft.id


def _approve(agreement_id: int, run_id: int, liaison_id: int) -> Callable:
    def approve(session) -> None:
        deal = session.get_one(SponsorAgreement, agreement_id)
        draft = session.get_one(PayoutRun, run_id)
        runs.approve(session, run=draft, agreement=deal, actor_id=liaison_id)

    return approve


def _withdraw(agreement_id: int, association_id: int) -> Callable:
    def withdraw(session) -> date | None:
        deal = session.get_one(SponsorAgreement, agreement_id)
        association = session.get_one(Association, association_id)
        return membership.withdraw(
            session, agreement=deal, association=association, allowed_municipality_ids=None
        )

    return withdraw


def _first_holds_its_lock(app, first: Callable, second: Callable) -> tuple[Future, Future]:
    """Run ``first`` and keep its transaction open while ``second`` starts in another;
    ``second`` must wait for ``first`` to commit. Returns both outcomes."""
    done_first, go_on = threading.Event(), threading.Event()

    def hold(work: Callable):
        try:
            with app.app_context(), session_scope(get_engine(app)) as session:
                result = work(session)
                done_first.set()
                assert go_on.wait(timeout=30)
                return result
        finally:
            done_first.set()  # a failing first change shows its own error, not a timeout

    def then(work: Callable):
        with app.app_context(), session_scope(get_engine(app)) as session:
            return work(session)

    with ThreadPoolExecutor(max_workers=2) as pool:
        held = pool.submit(hold, first)
        assert done_first.wait(timeout=30)
        if held.done():
            held.result()  # raises what the first change raised
        waiting = pool.submit(then, second)
        wall_clock.sleep(HEAD_START_SECONDS)
        still_waiting = not waiting.done()
        go_on.set()
        held.result(timeout=60)
        waiting.exception(timeout=60)
    assert still_waiting, "the second change did not wait for the first one's lock"
    return held, waiting


def _refusal(outcome: Future) -> str:
    """The code of the RuleViolation that refused the change."""
    refused = outcome.exception()
    assert isinstance(refused, RuleViolation), refused
    return refused.code


def test_a_withdrawal_waiting_on_an_approval_applies_after_what_it_settled(app, db, world, april):
    agreement_id, run_id = april
    _approved, withdrawn = _first_holds_its_lock(
        app,
        _approve(agreement_id, run_id, world.ids["liaison"]),
        _withdraw(agreement_id, world.ids["assoc_a"]),
    )
    # The payout holds tonight's walk, so the withdrawal applies from tomorrow (read before
    # the approval committed, it would have ended the enrolment tonight).
    assert withdrawn.result() == date(2026, 5, 1)
    db.rollback()  # a fresh transaction sees what the threads committed
    assert db.get_one(PayoutRun, run_id).status == RunStatus.APPROVED


def test_an_approval_waiting_on_a_withdrawal_is_refused_until_computed_again(app, db, world, april):
    agreement_id, run_id = april
    withdrawn, approval = _first_holds_its_lock(
        app,
        _withdraw(agreement_id, world.ids["assoc_a"]),
        _approve(agreement_id, run_id, world.ids["liaison"]),
    )
    assert withdrawn.result() == APRIL_30  # tonight is no longer enrolled
    assert _refusal(approval) == "agreement_changed"
    db.rollback()  # a fresh transaction sees what the threads committed
    assert db.get_one(PayoutRun, run_id).status == RunStatus.DRAFT


def _lines(session, run_id: int) -> list[tuple[int, str, int]]:
    found = session.exec(select(PayoutLine).where(PayoutLine.run_id == run_id)).all()
    return sorted((line.association_id, line.kind, line.amount_ore) for line in found)


@pytest.mark.parametrize("change", ["recompute", "delete"])
def test_a_draft_approved_meanwhile_is_neither_computed_again_nor_deleted(
    app, db, world, april, change
):
    agreement_id, run_id = april
    approved_lines = _lines(db, run_id)

    def change_draft(session) -> None:
        draft = session.get_one(PayoutRun, run_id)
        if change == "recompute":
            deal = session.get_one(SponsorAgreement, agreement_id)
            runs.recompute(session, run=draft, agreement=deal)
        else:
            runs.delete_draft(session, run=draft)

    _approved, changed = _first_holds_its_lock(
        app, _approve(agreement_id, run_id, world.ids["liaison"]), change_draft
    )
    assert _refusal(changed) == "run_status"
    db.rollback()  # a fresh transaction sees what the threads committed
    assert db.get_one(PayoutRun, run_id).status == RunStatus.APPROVED
    assert _lines(db, run_id) == approved_lines


def test_new_terms_waiting_on_an_approval_may_not_reach_into_what_it_settled(app, db, world, april):
    agreement_id, run_id = april

    def new_terms(session) -> None:
        deal = session.get_one(SponsorAgreement, agreement_id)
        terms.add_version(
            session,
            agreement=deal,
            terms=terms.TermsInput(
                PaymentRule(kind="per_walk", amount_ore=200_000, min_walkers=3, min_age=18),
                None,
                None,
            ),
            valid_from=date(2026, 4, 15),
            actor_id=None,
        )

    _approved, changed = _first_holds_its_lock(
        app, _approve(agreement_id, run_id, world.ids["liaison"]), new_terms
    )
    assert _refusal(changed) == "terms_in_settled_period"


def test_two_withdrawals_of_an_enrolment_not_yet_begun(app, db, world, april):
    """The second finds nothing left to withdraw, instead of writing a row the first deleted."""
    agreement_id, _run_id = april
    deal = db.get_one(SponsorAgreement, agreement_id)
    association = db.get_one(Association, world.ids["assoc_b"])
    _withdraw(agreement_id, world.ids["assoc_b"])(db)
    membership.enrol(
        db,
        agreement=deal,
        association=association,
        joined_on=date(2026, 6, 1),
        allowed_municipality_ids=None,
    )
    db.commit()
    first, second = _first_holds_its_lock(
        app,
        _withdraw(agreement_id, world.ids["assoc_b"]),
        _withdraw(agreement_id, world.ids["assoc_b"]),
    )
    assert first.result() is None and second.result() is None
    db.rollback()  # a fresh transaction sees what the threads committed
    enrolled = [row.association_id for row, _ in membership.enrolments(db, agreement_id)]
    assert world.ids["assoc_b"] not in enrolled


def test_a_run_waiting_on_a_shorter_validity_is_refused_after_its_end(app, db, world, april):
    agreement_id, _run_id = april

    def end_in_april(session) -> None:
        end_agreement(session, world, agreement_id, APRIL_30)

    def may_run(session) -> None:
        deal = session.get_one(SponsorAgreement, agreement_id)
        runs.create_run(
            session,
            agreement=deal,
            period_start=date(2026, 5, 1),
            period_end=date(2026, 5, 31),
            actor_id=None,
        )

    _ended, created = _first_holds_its_lock(app, end_in_april, may_run)
    assert _refusal(created) == "outside_agreement"


def test_an_enrolment_waiting_on_a_municipality_taken_off_is_refused(app, db, world, april):
    """Bjuvs IF, withdrawn, is enrolled again while Bjuv is taken off the agreement."""
    agreement_id, _run_id = april
    _withdraw(agreement_id, world.ids["assoc_c"])(db)
    db.commit()

    def hassleholm_only(session) -> None:
        deal = session.get_one(SponsorAgreement, agreement_id)
        membership.set_municipalities(session, deal, [world.ids["hassleholm"]])

    def enrol_bjuv_association(session) -> None:
        deal = session.get_one(SponsorAgreement, agreement_id)
        membership.enrol(
            session,
            agreement=deal,
            association=session.get_one(Association, world.ids["assoc_c"]),
            joined_on=None,
            allowed_municipality_ids=None,
        )

    _taken_off, enrolled = _first_holds_its_lock(app, hassleholm_only, enrol_bjuv_association)
    assert _refusal(enrolled) == "not_covered"


def _approve_report(place: dict, evening: date) -> Callable:
    """A report of three adults approved on ``evening``, as review records it."""

    def approve_report(session) -> None:
        people = [User(name=f"Vandrare {year}", birth_year=year) for year in ADULTS]
        session.add_all(people)
        session.flush()
        shift, report, walkers = approved_report(
            session, **place, evening=evening, user_ids=[person.id for person in people]
        )
        ledger.record_approval(session, report, shift, walkers, actor_id=None)

    return approve_report


def test_a_draft_computed_while_a_report_is_approved_pays_what_its_statement_lists(
    app, db, world, place, april
):
    """The approval stamps its ledger entries before it commits; the draft computed
    meanwhile waits for it, so every walk its statement lists (recorded before the cutoff)
    is one it paid."""
    agreement_id, run_id = april

    def compute_again(session) -> None:
        _at(22, 50)  # the approval, still open, stamped its entries at 22:45
        deal = session.get_one(SponsorAgreement, agreement_id)
        runs.recompute(session, run=session.get_one(PayoutRun, run_id), agreement=deal)

    _approved, computed = _first_holds_its_lock(
        app, _approve_report(place["assoc_a"], date(2026, 4, 29)), compute_again
    )
    computed.result()
    db.rollback()  # a fresh transaction sees what the threads committed
    draft = db.get_one(PayoutRun, run_id)
    listed = walk_rows(db, draft, world.ids["assoc_a"])
    assert [(row.evening, row.reason) for row in listed] == [
        (date(2026, 4, 29), ""),
        (APRIL_30, ""),
    ]
    deal = db.get_one(SponsorAgreement, agreement_id)
    again = runs.plan_for(
        db,
        deal,
        draft.period_start,
        draft.period_end,
        cutoff=draft.cutoff_at,
        exclude_run_id=run_id,
    )
    assert _lines(db, run_id) == sorted(
        (line.association_id, line.kind, line.amount_ore) for line in again.lines
    )
