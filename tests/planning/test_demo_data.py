"""The planning demo step: Fri+Sat series per demo municipality, Valborg when in range."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from nattvandring import clock
from nattvandring.clock import to_local
from nattvandring.demo.loader import load_demo
from nattvandring.municipalities.models import Municipality
from nattvandring.planning import demo_data
from nattvandring.planning.models import Shift


def test_demo_plans_every_municipality_idempotently(app, db):
    clock.freeze(datetime(2027, 4, 14, 10, tzinfo=UTC))  # Valborg is in range
    load_demo(db)
    db.commit()
    shifts = db.exec(select(Shift)).all()
    municipalities = db.exec(select(Municipality)).all()
    assert {s.municipality_id for s in shifts} == {m.id for m in municipalities}
    regular = [s for s in shifts if s.special_key is None]
    assert {to_local(s.start_at).weekday() for s in regular} == {4, 5}
    days = sorted(to_local(s.start_at).date() for s in regular)
    assert days[0] >= datetime(2027, 2, 17).date() and days[-1] <= datetime(2027, 6, 23).date()
    valborg = [s for s in shifts if s.special_key == "valborg"]
    assert valborg and {to_local(s.start_at).date().isoformat() for s in valborg} == {"2027-04-30"}
    count = len(shifts)
    demo_data.load(db)
    db.commit()
    assert len(db.exec(select(Shift)).all()) == count
