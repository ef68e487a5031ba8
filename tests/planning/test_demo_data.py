"""The planning demo step: Fri+Sat series per demo municipality (the last finished spring and
the weeks around today), Valborg when in range."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from nattvandring.clock import to_local, utcnow
from nattvandring.municipalities.models import Municipality
from nattvandring.planning import demo_data
from nattvandring.planning.models import Shift


@pytest.fixture
def app(demo_app):
    """The demo as `nattvandring demo` loaded it on 14 April 2027 (tests/support/demo.py)."""
    return demo_app


def test_demo_plans_every_municipality_idempotently(app, db):
    assert utcnow() == datetime(2027, 4, 14, 10, tzinfo=UTC)  # Valborg is in range
    shifts = db.exec(select(Shift)).all()
    municipalities = db.exec(select(Municipality)).all()
    assert {s.municipality_id for s in shifts} == {m.id for m in municipalities}
    regular = [s for s in shifts if s.special_key is None]
    assert {to_local(s.start_at).weekday() for s in regular} == {4, 5}
    days = sorted(to_local(s.start_at).date() for s in regular)
    spring = [d for d in days if d.year == 2026]
    around_today = [d for d in days if d.year == 2027]
    assert len(spring) + len(around_today) == len(days)
    # The spring of 2027 is not over on 14 April 2027, so the demo's finished spring is 2026's.
    assert spring[0] >= datetime(2026, 3, 1).date() and spring[-1] <= datetime(2026, 6, 13).date()
    assert around_today[0] >= datetime(2027, 2, 17).date()
    assert around_today[-1] <= datetime(2027, 6, 23).date()
    valborg = [s for s in shifts if s.special_key == "valborg"]
    assert {to_local(s.start_at).date().isoformat() for s in valborg} == {
        "2026-04-30",
        "2027-04-30",
    }
    count = len(shifts)
    demo_data.load(db)
    db.commit()
    assert len(db.exec(select(Shift)).all()) == count
