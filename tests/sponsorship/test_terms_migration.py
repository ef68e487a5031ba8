"""The migration to versioned terms on a copy of the demo data with approved payouts.

The demo is loaded (once per test run, tests/support/demo.py) and two payouts approved at
the head schema; the database is then taken back to the revision before versioned terms
(which drops the versions, the new line columns and ``settled_through``, as a database of
that time would be) and upgraded again.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import inspect, text
from sqlmodel import Session, select

from nattvandring import clock, migrate
from nattvandring.db import get_engine, make_engine, session_scope
from nattvandring.sponsorship import services_runs, services_terms
from nattvandring.sponsorship.models import PayoutLine, PayoutRun, RunStatus, SponsorAgreement
from tests.support.demo import DEMO_AT

BEFORE = "f565eb128b80"
LINE_COLUMNS = (
    "id, run_id, association_id, kind, covers_start, covers_end, walks, walkers,"
    " volunteer_minutes, rule_amount_ore, amount_ore, explanation, association_name,"
    " org_number, account_number"
)


def _lines(engine) -> list:
    with engine.connect() as connection:
        return list(
            connection.execute(
                text(f"SELECT {LINE_COLUMNS} FROM payout_line ORDER BY id")  # noqa: S608
            ).all()
        )


def test_approved_demo_payouts_stay_exactly_as_they_were(demo_app):
    # A copy of the demo as `nattvandring db upgrade` and `nattvandring demo` made it at
    # DEMO_AT, 14 April 2027 (tests/support/demo.py), on the run's backend.
    app = demo_app
    engine = make_engine(app.config["DATABASE_URL"])
    try:
        clock.freeze(DEMO_AT + timedelta(days=1))  # after the demo's approvals
        with app.app_context(), session_scope(get_engine(app)) as session:
            deal = session.exec(select(SponsorAgreement)).one()
            for first, last in (
                (date(2027, 1, 1), date(2027, 3, 31)),
                (date(2027, 4, 1), date(2027, 4, 14)),
            ):
                run = services_runs.create_run(
                    session, agreement=deal, period_start=first, period_end=last, actor_id=None
                )
                services_runs.approve(session, run=run, agreement=deal, actor_id=1)
        get_engine(app).dispose()
        before = _lines(engine)
        assert before and sum(row.amount_ore for row in before) > 0

        migrate.downgrade(engine, BEFORE)
        assert "agreement_terms" not in inspect(engine).get_table_names()
        migrate.upgrade(engine)

        assert _lines(engine) == before
        with Session(engine) as session:
            deal = session.exec(select(SponsorAgreement)).one()
            assert deal.settled_through == date(2027, 4, 14)
            [version] = services_terms.versions(session, deal)
            assert version.valid_from == deal.valid_from
            assert version.rule.to_dict() == deal.rule
            assert version.budget_ore == deal.budget_ore == 7_500_000
            statuses = session.exec(select(PayoutRun.status)).all()
            assert statuses == [RunStatus.APPROVED, RunStatus.APPROVED]
            # The next payout starts after the settled days: no adjustment re-pays them.
            with app.app_context():
                plan = services_runs.plan_for(
                    session, deal, date(2027, 4, 15), date(2027, 5, 31), cutoff=None
                )
            assert [line for line in plan.lines if line.kind == "adjustment"] == []
            assert session.exec(select(PayoutLine)).all()
    finally:
        engine.dispose()
