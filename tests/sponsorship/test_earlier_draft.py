"""A run computed while an earlier run of the agreement is still a draft: it counts that
draft's walks in its adjustment line, says so, and the pages warn the liaison."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from nattvandring import clock
from nattvandring.associations.models import Association
from nattvandring.sponsorship import services_runs as runs
from nattvandring.sponsorship.models import LineKind, PayoutLine

from .conftest import agreement, approve_from_page, login_as, walk

ADULTS = [1980, 1981, 1982]
DRAFT_TEXT = "vandringar som ingen godkänd utbetalning har avräknat"
LATE_TEXT = "sent godkända eller rättade rapporter)"


def _spring_and_april(session, world, place):
    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    deal = agreement(session, world)
    walk(session, **place["assoc_a"], evening=date(2026, 3, 6), birth_years=ADULTS)
    walk(session, **place["assoc_a"], evening=date(2026, 4, 3), birth_years=ADULTS)
    clock.freeze(datetime(2026, 5, 2, tzinfo=UTC))
    spring = runs.create_run(
        session,
        agreement=deal,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        actor_id=None,
    )
    april = runs.create_run(
        session,
        agreement=deal,
        period_start=date(2026, 4, 1),
        period_end=date(2026, 4, 30),
        actor_id=None,
    )
    return deal, spring, april


def _adjustment(session, run, world) -> PayoutLine:
    return session.exec(
        select(PayoutLine).where(
            PayoutLine.run_id == run.id,
            PayoutLine.association_id == world.ids["assoc_a"],
            PayoutLine.kind == LineKind.ADJUSTMENT,
        )
    ).one()


def test_run_page_and_confirmation_warn_about_the_open_earlier_draft(client, db, world, place):
    _deal, spring, april = _spring_and_april(db, world, place)
    db.commit()
    line = _adjustment(db, april, world)
    assert line.details["earlier_draft"] is True
    assert DRAFT_TEXT in line.explanation and LATE_TEXT in line.explanation
    login_as(client, world.emails["liaison"])
    for url in (f"/sponsorship/runs/{april.id}", f"/sponsorship/runs/{april.id}/approve"):
        page = client.get(url).get_data(as_text=True)
        assert "Ett tidigare utkast är fortfarande öppet" in page
        assert "2026-01-01 – 2026-03-31" in page
        assert f'href="/sponsorship/runs/{spring.id}"' in page
        assert "Utkast" in page
    assert DRAFT_TEXT in client.get(f"/sponsorship/runs/{april.id}").get_data(as_text=True)
    # The earlier draft itself has nothing earlier open: no warning there.
    page = client.get(f"/sponsorship/runs/{spring.id}").get_data(as_text=True)
    assert "Ett tidigare utkast är fortfarande öppet" not in page

    # Approve the spring run and recompute April: no warning, no adjustment for spring.
    db.rollback()
    refused = approve_from_page(client, april.id)
    assert refused.status_code == 422
    assert "Ett tidigare utkast är fortfarande öppet" in refused.get_data(as_text=True)
    assert approve_from_page(client, spring.id).status_code == 302
    assert client.post(f"/sponsorship/runs/{april.id}/recompute").status_code == 302
    db.rollback()
    assert (
        db.exec(
            select(PayoutLine).where(
                PayoutLine.run_id == april.id, PayoutLine.kind == LineKind.ADJUSTMENT
            )
        ).all()
        == []
    )
    page = client.get(f"/sponsorship/runs/{april.id}").get_data(as_text=True)
    assert "Ett tidigare utkast är fortfarande öppet" not in page


def test_late_approval_keeps_its_own_explanation(db, world, place):
    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    deal = agreement(db, world)
    spring = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        actor_id=None,
    )
    runs.approve(db, run=spring, agreement=deal, actor_id=world.ids["liaison"])
    clock.freeze(datetime(2026, 5, 2, tzinfo=UTC))
    walk(
        db,
        **place["assoc_a"],
        evening=date(2026, 3, 6),
        birth_years=ADULTS,
        recorded_at=datetime(2026, 5, 2, tzinfo=UTC),
    )
    clock.freeze(datetime(2026, 5, 3, tzinfo=UTC))
    april = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 4, 1),
        period_end=date(2026, 4, 30),
        actor_id=None,
    )
    line = _adjustment(db, april, world)
    assert "earlier_draft" not in line.details
    assert DRAFT_TEXT not in line.explanation and LATE_TEXT in line.explanation


def test_english_run_page_says_draft_and_explains_in_english(app, client, world, place):
    """No ``db`` fixture: its app context would keep the Swedish locale cached."""
    from nattvandring.db import get_engine, session_scope

    with app.app_context(), session_scope(get_engine(app)) as session:
        _deal, _spring, april = _spring_and_april(session, world, place)
        session.flush()
        april_id = april.id
    login_as(client, world.emails["liaison"])
    client.post("/lang", data={"lang": "en", "next": "/"})
    for url in (f"/sponsorship/runs/{april_id}", f"/sponsorship/runs/{april_id}/approve"):
        page = client.get(url).get_data(as_text=True)
        assert "An earlier draft is still open" in page
        assert ">Draft<" in page
        assert "Utkast" not in page
    page = client.get(f"/sponsorship/runs/{april_id}").get_data(as_text=True)
    assert "walks that no approved payout has settled" in page


def test_the_run_pages_warn_of_a_payee_who_changed_account_and_approval_waits(
    client, db, world, place
):
    """The lines copied the account at computation: the pages say so before the lock."""
    _deal, spring, _april = _spring_and_april(db, world, place)
    club = db.get(Association, world.ids["assoc_a"])
    club.account_number = "5050-1055"
    db.commit()
    login_as(client, world.emails["liaison"])
    warning = f"{club.name} har bytt konto eller organisationsnummer sedan beräkningen."
    for url in (f"/sponsorship/runs/{spring.id}", f"/sponsorship/runs/{spring.id}/approve"):
        assert warning in client.get(url).get_data(as_text=True)
    refused = approve_from_page(client, spring.id)
    assert refused.status_code == 422
    assert warning in refused.get_data(as_text=True)

    assert client.post(f"/sponsorship/runs/{spring.id}/recompute").status_code == 302
    assert warning not in client.get(f"/sponsorship/runs/{spring.id}").get_data(as_text=True)
    assert approve_from_page(client, spring.id).status_code == 302
