"""Scheduled jobs of the booking area."""

from __future__ import annotations

from flask import Flask

from ..db import get_engine, session_scope
from .services_reserve import pass_on_expired_offers

RESERVE_OFFER_SWEEP_SECONDS = 60


def sweep_reserve_offers(app: Flask) -> int:
    """Offers from a reserve list whose window has ended go on to the next in line."""
    with app.app_context(), session_scope(get_engine(app)) as session:
        return pass_on_expired_offers(session)


JOBS = [(sweep_reserve_offers, RESERVE_OFFER_SWEEP_SECONDS)]
