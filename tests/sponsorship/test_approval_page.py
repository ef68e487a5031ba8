"""The approval locks what its confirmation page showed, and a draft past a shortened
validity answers a message, not an error."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from nattvandring import clock
from nattvandring.sponsorship.models import PayoutRun, RunStatus

from .conftest import agreement, approve_from_page, end_agreement, login_as, walk

ADULTS = [1980, 1981, 1982]


def _march_draft(client, db, world, place) -> int:
    clock.freeze(datetime(2026, 4, 1, tzinfo=UTC))
    deal = agreement(db, world)
    walk(db, **place["assoc_a"], evening=date(2026, 3, 6), birth_years=ADULTS)
    db.commit()
    login_as(client, world.emails["liaison"])
    created = client.post(
        f"/sponsorship/agreements/{deal.id}/runs",
        data={"period_start": "2026-03-01", "period_end": "2026-03-31"},
    )
    assert created.status_code == 302
    return int(created.headers["Location"].rsplit("/", 1)[1])


def _status(db, run_id: int) -> str:
    db.rollback()
    return db.get_one(PayoutRun, run_id).status


def test_a_draft_computed_again_after_the_page_was_opened_is_not_approved(client, db, world, place):
    run_id = _march_draft(client, db, world, place)
    page = client.get(f"/sponsorship/runs/{run_id}/approve").get_data(as_text=True)
    seen = re.search(r'name="seen" value="([0-9a-f]+)"', page)
    assert seen is not None
    # Meanwhile a late March walk is approved and someone computes the draft again.
    clock.freeze(datetime(2026, 4, 2, tzinfo=UTC))
    walk(db, **place["assoc_a"], evening=date(2026, 3, 7), birth_years=ADULTS)
    db.commit()
    assert client.post(f"/sponsorship/runs/{run_id}/recompute").status_code == 302

    stale = client.post(f"/sponsorship/runs/{run_id}/approve", data={"seen": seen.group(1)})
    assert stale.status_code == 422
    assert "Utkastet har räknats om sedan du öppnade sidan" in stale.get_data(as_text=True)
    assert _status(db, run_id) == RunStatus.DRAFT
    without = client.post(f"/sponsorship/runs/{run_id}/approve")
    assert without.status_code == 422
    assert _status(db, run_id) == RunStatus.DRAFT

    assert approve_from_page(client, run_id).status_code == 302
    assert _status(db, run_id) == RunStatus.APPROVED


def test_computing_a_draft_past_a_shortened_validity_again_says_why(client, db, world, place):
    run_id = _march_draft(client, db, world, place)
    deal = db.get_one(PayoutRun, run_id).agreement_id
    end_agreement(db, world, deal, date(2026, 2, 28))
    db.commit()
    answer = client.post(f"/sponsorship/runs/{run_id}/recompute")
    assert answer.status_code == 422
    assert "Perioden ligger utanför avtalets giltighetstid." in answer.get_data(as_text=True)
    assert _status(db, run_id) == RunStatus.DRAFT
