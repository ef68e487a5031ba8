"""Health and readiness probes, and the admin's view of running workers."""

from __future__ import annotations

from flask import jsonify, render_template
from flask_login import current_user, login_required

from .. import authz
from ..db import db_session, get_engine
from ..i18n import _l
from ..web import nav
from . import services
from .blueprint import bp


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """The process is up (no database access)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():  # type: ignore[no-untyped-def]
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
def workers():  # type: ignore[no-untyped-def]
    authz.require_admin(current_user)
    return render_template(
        "ops/workers.html",
        heartbeats=services.heartbeats(db_session()),
        readiness=services.readiness(get_engine()),
        stale_after=services.HEARTBEAT_STALE_AFTER,
    )


nav.register("ops.workers", _l("Drift"), authz.is_admin, order=80)
