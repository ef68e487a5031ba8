"""Health and readiness probes, and the admin's view of running workers."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user, login_required

from ..db import db_session, get_engine
from ..errors import Forbidden
from ..i18n import _l
from ..web import nav
from . import services

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """The process is up (no database access)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Database reachable, migrations current, a worker heartbeat in the last two minutes."""
    state = services.readiness(get_engine())
    body = {
        "status": "ready" if state.ready else "not ready",
        "database": state.database,
        "migrations": state.migrations,
        "worker": state.worker,
    }
    return jsonify(body), 200 if state.ready else 503


@bp.get("/admin/workers")
@login_required
def workers():
    if not current_user.is_admin:
        raise Forbidden()
    return render_template(
        "ops/workers.html",
        heartbeats=services.heartbeats(db_session()),
        readiness=services.readiness(get_engine()),
        stale_after=services.HEARTBEAT_STALE_AFTER,
    )


nav.register("ops.workers", _l("Drift"), lambda user: user.is_admin, order=80)
