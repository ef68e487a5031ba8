"""Scheduled jobs of the accounts area: stable links follow a rotated SECRET_KEY; expired
proofs of a number or address are dropped."""

from __future__ import annotations

import logging

from flask import Flask

from .. import db, stable_links, tokens
from .verification import purge_old

log = logging.getLogger(__name__)

# Keys change only with a restart, and every job runs once when the worker starts; the
# interval is a safety net for a web process restarted after its worker.
REKEY_INTERVAL_SECONDS = 6 * 60 * 60
PURGE_SECONDS = 24 * 3600


def rekey_links(app: Flask) -> int:
    """Give every live personal and feed link a row for the current SECRET_KEY, so links
    made from now on use it (``stable_links.rekey``); links sent before keep working while their
    key is in SECRET_KEY_FALLBACKS."""
    with db.session_scope(db.get_engine(app)) as session:
        added = stable_links.rekey(session, secret_key=tokens.signing_keys(app.config))
    if added:
        log.info("Links: %s stable links now have a row for the current key", added)
    return added


def purge_old_proofs(app: Flask) -> int:
    """Expired codes and links name a number or address: drop them."""
    with app.app_context(), db.session_scope(db.get_engine(app)) as session:
        return purge_old(session)


JOBS = [(rekey_links, REKEY_INTERVAL_SECONDS), (purge_old_proofs, PURGE_SECONDS)]
