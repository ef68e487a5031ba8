"""Scheduled jobs of the booking rounds: draw each round once its deadline has passed."""

from __future__ import annotations

import logging

from flask import Flask

from ..clock import utcnow
from ..db import get_engine, session_scope
from .queries import due_rounds
from .services import draw_round

log = logging.getLogger(__name__)

DRAW_SWEEP_SECONDS = 60


def draw_due_rounds(app: Flask) -> int:
    """Each due round in its own transaction, so one failing round does not hold the rest."""
    engine = get_engine(app)
    with app.app_context():
        with session_scope(engine, write=False) as session:
            due = due_rounds(session, utcnow())
        drawn = 0
        for round_id in due:
            try:
                with session_scope(engine) as session:
                    draw_round(session, round_id=round_id, actor_id=None)
                drawn += 1
            except Exception:
                log.exception("Drawing booking round %s failed", round_id)
        return drawn


JOBS = [(draw_due_rounds, DRAW_SWEEP_SECONDS)]
