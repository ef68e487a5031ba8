"""Scheduled jobs of the accounts area."""

from __future__ import annotations

from flask import Flask

from ..db import get_engine, session_scope
from .verification import purge_old

PURGE_SECONDS = 24 * 3600


def purge_old_proofs(app: Flask) -> int:
    """Expired codes and links name a number or address: drop them."""
    with app.app_context(), session_scope(get_engine(app)) as session:
        return purge_old(session)


JOBS = [(purge_old_proofs, PURGE_SECONDS)]
