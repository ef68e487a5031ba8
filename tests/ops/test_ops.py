"""Health, readiness, the workers page and backups."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from flask import Flask

from nattvandring import clock, migrate
from nattvandring.db import get_engine, make_engine
from nattvandring.ops import heartbeat, services
from tests.factories import login


def test_healthz_needs_no_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_reports_each_part(client, app):
    # The test schema is built without Alembic, so migrations are not "current".
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["database"] is True
    assert response.json["migrations"] is False


def test_readyz_is_ready_with_migrations_and_a_fresh_heartbeat(tmp_path):
    from nattvandring.app import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'ready.db'}", "TESTING": True})
    engine = get_engine(app)
    migrate.upgrade(engine)
    client = app.test_client()
    assert client.get("/readyz").json["worker"] is False
    heartbeat.beat(app)
    assert client.get("/readyz").status_code == 200
    clock.freeze(clock.utcnow() + timedelta(minutes=3))
    stale = client.get("/readyz")
    assert stale.status_code == 503
    assert stale.json["worker"] is False
    engine.dispose()


def test_workers_page_is_for_admins(client, world, app: Flask):
    heartbeat.beat(app)
    login(client, world.emails["coord_h"])
    assert client.get("/admin/workers").status_code == 403
    client.post("/logout")
    login(client, world.emails["admin"])
    page = client.get("/admin/workers")
    assert page.status_code == 200
    assert heartbeat.worker_id() in page.text


def test_sqlite_backup_is_a_consistent_copy(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'live.db'}")
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO municipality (name, slug, max_associations_per_shift, "
            "cancel_deadline_hours, report_due_days, allow_reserve_list, created_at, updated_at) "
            "VALUES ('Hörby', 'horby', 1, 72, 7, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
    copy = services.backup_sqlite(engine, tmp_path / "backups" / "copy.db")
    restored = sqlite3.connect(copy)
    assert restored.execute("SELECT name FROM municipality").fetchall() == [("Hörby",)]
    restored.close()
    restored_engine = make_engine(f"sqlite:///{copy}")
    assert migrate.is_current(restored_engine)
    restored_engine.dispose()
    engine.dispose()


def test_access_log_names_the_rule_not_the_token(client, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="nattvandring.access")
    secret = "s3cr3t-token-value-that-must-not-leak"
    client.get(f"/reset/{secret}")
    text = caplog.text
    assert "GET /reset/<token> 404" in text
    assert secret not in text


def test_successful_probes_are_not_access_logged(client, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="nattvandring.access")
    assert client.get("/healthz").status_code == 200
    assert "/healthz" not in caplog.text
    client.get("/reset/x")
    assert "GET /reset/<token> 404" in caplog.text


def test_the_limiter_checks_in_its_decorators_only(app):
    from nattvandring.extensions import limiter

    assert limiter._check_request_limit not in app.before_request_funcs[None]
