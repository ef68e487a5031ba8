"""Fixtures for the open-data tests: a frozen clock and a Hässleholm with nights.

The world's Hässleholm gets its canonical ASCII slug (``hassleholm``), as the app makes it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from nattvandring import clock
from nattvandring.municipalities.models import Municipality
from tests.support.shifts import book, make_shift

#: Wednesday 2026-04-29 10:00 local time (Valborg is the next day, Thursday).
NOW = datetime(2026, 4, 29, 8, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    clock.freeze(NOW)
    yield NOW
    clock.freeze(None)


@pytest.fixture
def nights(app, world, db, frozen):
    """Hässleholm (slug ``hassleholm``): Valborg (booked by IFK, volunteers on it), Friday 1
    May (open) and Saturday 9 May (open); Bjuv: one open night this week."""
    hassleholm = db.get(Municipality, world.ids["hassleholm"])
    hassleholm.slug = "hassleholm"
    db.add(hassleholm)
    h, area = world.ids["hassleholm"], world.ids["area_h"]
    valborg = make_shift(
        db, municipality_id=h, area_id=area, day=date(2026, 4, 30), special_key="valborg"
    )
    friday = make_shift(db, municipality_id=h, area_id=area, day=date(2026, 5, 1))
    later = make_shift(db, municipality_id=h, area_id=area, day=date(2026, 5, 9))
    bjuv = make_shift(
        db, municipality_id=world.ids["bjuv"], area_id=world.ids["area_b"], day=date(2026, 5, 2)
    )
    book(db, valborg, world.ids["assoc_a"], walkers=[world.ids["vol_a"], world.ids["vol_a2"]])
    db.commit()
    assert db.exec(select(Municipality.slug)).all()
    return {"valborg": valborg.id, "friday": friday.id, "later": later.id, "bjuv": bjuv.id}
