"""The "Skickade SMS" pages: roles, tenants, filters and the admin's retry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nattvandring import clock
from nattvandring.db import get_engine, session_scope
from nattvandring.messaging.health import RunHealth
from nattvandring.messaging.models import SmsMessage
from nattvandring.messaging.texts import LINK_MARKER
from tests.factories import PASSWORD, build_world, login
from tests.messaging.conftest import NOW, rows
from tests.support.database import make_test_app


@pytest.fixture
def messages(app, world, db, frozen):  # type: ignore[no-untyped-def]
    def add(key, kind, status, assoc, municipality, **extra):  # type: ignore[no-untyped-def]
        row = SmsMessage(
            kind=kind,
            to_e164="+46701112233",
            user_id=world.ids[key],
            association_id=world.ids[assoc],
            municipality_id=world.ids[municipality],
            body=f"Text till {key}. Din sida: {LINK_MARKER}",
            status=status,
            due_at=NOW,
            dedupe_key=f"{key}:{kind}:{status}",
            **extra,
        )
        db.add(row)
        db.flush()
        return row.id

    ids = {
        "a_sent": add("vol_a", "confirmation", "sent", "assoc_a", "hassleholm"),
        "a_failed": add(
            "vol_a2",
            "reminder",
            "failed",
            "assoc_a",
            "hassleholm",
            error_message="InvalidNumber: bad",
            error_code=21211,
        ),
        "b_sent": add("vol_b", "confirmation", "sent", "assoc_b", "hassleholm"),
        "c_sent": add("vol_c", "confirmation", "delivered", "assoc_c", "bjuv"),
    }
    db.commit()
    return ids


def page(client, world, who, url):  # type: ignore[no-untyped-def]
    login(client, world.emails[who])
    return client.get(url)


def test_admin_sees_every_message_with_the_link_hidden(client, world, messages):
    response = page(client, world, "admin", "/messages")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for key in ("vol_a.", "vol_a2.", "vol_b.", "vol_c."):
        assert f"Text till {key}" in html
    assert "‹personlig länk›" in html and LINK_MARKER not in html
    assert "070-111 22 33" in html  # national format
    assert "Skicka igen" in html  # for the failed one
    assert "InvalidNumber: bad (21211)" in html


def test_coordinator_sees_only_their_municipality(client, world, messages):
    html = page(client, world, "coord_h", "/messages").get_data(as_text=True)
    assert "Text till vol_a." in html and "Text till vol_b." in html
    assert "Text till vol_c." not in html
    assert "Skicka igen" not in html  # only admins retry
    client.post("/logout")
    html = page(client, world, "coord_b", "/messages").get_data(as_text=True)
    assert "Text till vol_c." in html and "Text till vol_a." not in html


@pytest.mark.parametrize("who", ["leader_a", "liaison"])
def test_other_roles_may_not_see_the_outbox(client, world, messages, who):
    assert page(client, world, who, "/messages").status_code == 403


def test_anonymous_is_sent_to_login(client, messages):
    assert client.get("/messages").status_code in (302, 401)


def test_filters(client, world, messages):
    login(client, world.emails["admin"])
    html = client.get("/messages?status=failed").get_data(as_text=True)
    assert "Text till vol_a2." in html and "Text till vol_a." not in html
    html = client.get("/messages?kind=confirmation").get_data(as_text=True)
    assert "Text till vol_a." in html and "Text till vol_a2." not in html
    day = (NOW + timedelta(days=1)).date().isoformat()
    html = client.get(f"/messages?day={day}").get_data(as_text=True)
    assert "Inga SMS matchar filtret." in html
    html = client.get(f"/messages?day={NOW.date().isoformat()}").get_data(as_text=True)
    assert "Text till vol_c." in html


def test_nav_entry_for_admins_and_coordinators(client, world, messages):
    assert "Skickade SMS" in page(client, world, "coord_h", "/").get_data(as_text=True)
    client.post("/logout")
    assert "Skickade SMS" not in page(client, world, "leader_a", "/").get_data(as_text=True)


def test_admin_retries_a_failed_message(client, world, db, messages):
    login(client, world.emails["admin"])
    response = client.post(f"/messages/{messages['a_failed']}/retry")
    assert response.status_code == 302
    db.expire_all()
    row = db.get(SmsMessage, messages["a_failed"])
    assert (row.status, row.attempts, row.due_at, row.error_message) == ("pending", 0, NOW, "")


def test_sent_message_cannot_be_retried(client, world, db, messages):
    login(client, world.emails["admin"])
    response = client.post(f"/messages/{messages['a_sent']}/retry", follow_redirects=True)
    assert "Det här SMS:et kan inte skickas om." in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(SmsMessage, messages["a_sent"]).status == "sent"


def test_a_message_no_longer_useful_cannot_be_retried(client, world, db, messages):
    row = db.get(SmsMessage, messages["a_failed"])
    row.not_after = NOW - timedelta(minutes=1)
    db.commit()
    login(client, world.emails["admin"])
    response = client.post(f"/messages/{messages['a_failed']}/retry", follow_redirects=True)
    assert "Det här SMS:et är inte längre aktuellt." in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(SmsMessage, messages["a_failed"]).status == "failed"


def test_retry_roles_and_tenants(client, world, db, messages):
    url = f"/messages/{messages['a_failed']}/retry"
    login(client, world.emails["coord_h"])
    assert client.post(url).status_code == 403  # sees it, may not retry
    client.post("/logout")
    login(client, world.emails["coord_b"])
    assert client.post(url).status_code == 404  # another municipality
    db.expire_all()
    assert db.get(SmsMessage, messages["a_failed"]).status == "failed"


def test_retry_needs_a_csrf_token(tmp_path):
    app = make_test_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context(), session_scope(get_engine(app)) as session:
        world = build_world(session)
        session.add(
            SmsMessage(
                kind="reminder", to_e164="+46701112233", body="x", dedupe_key="k", status="failed"
            )
        )
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post(
        "/login", data={"email": world.emails["admin"], "password": PASSWORD, "csrf_token": token}
    )
    assert client.post("/messages/1/retry").status_code == 400
    outbox = client.get("/messages").get_data(as_text=True)
    token = outbox.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/messages/1/retry", data={"csrf_token": token}).status_code == 302
    get_engine(app).dispose()


def test_leader_sees_statuses_of_their_association(client, world, messages):
    response = page(client, world, "leader_a", f"/messages/association/{world.ids['assoc_a']}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vol A2" in html and "Misslyckades" in html and "Skickat" in html
    assert "Vol B" not in html
    assert "Text till" not in html  # statuses, not texts


@pytest.mark.parametrize(
    ("who", "code"), [("leader_b", 404), ("coord_b", 404), ("coord_h", 200), ("liaison", 404)]
)
def test_association_page_tenants(client, world, messages, who, code):
    url = f"/messages/association/{world.ids['assoc_a']}"
    assert page(client, world, who, url).status_code == code


def test_rows_helper_sees_committed_rows(db, messages):
    assert len(rows(db)) == 4


def test_leader_entry_point_and_nav(client, world, messages):
    response = page(client, world, "leader_a", "/messages/association")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/messages/association/{world.ids['assoc_a']}")
    assert "SMS-status" in client.get("/").get_data(as_text=True)
    client.post("/logout")
    assert page(client, world, "coord_h", "/messages/association").status_code == 403


def _provider_failing(app, since):  # type: ignore[no-untyped-def]
    health = RunHealth()
    health.failed("Unable to create record: An internal server error has occurred")
    health.record(get_engine(app), now=since)


def test_admins_see_a_banner_once_the_provider_failed_for_15_minutes(app, client, world, frozen):
    _provider_failing(app, NOW - timedelta(minutes=10))
    login(client, world.emails["admin"])
    assert "sms-provider-banner" not in client.get("/messages").get_data(as_text=True)
    clock.freeze(NOW + timedelta(minutes=6))  # 16 minutes
    text = client.get("/messages").get_data(as_text=True)
    assert 'id="sms-provider-banner"' in text
    assert "SMS-leverantören har inte fungerat sedan" in text
    client.post("/logout")
    login(client, world.emails["coord_h"])
    assert "sms-provider-banner" not in client.get("/messages").get_data(as_text=True)
    ok = RunHealth()
    ok.answered()
    ok.record(get_engine(app))
    client.post("/logout")
    login(client, world.emails["admin"])
    assert "sms-provider-banner" not in client.get("/messages").get_data(as_text=True)


def test_the_outbox_page_shows_the_backlog_of_the_coordinators_municipalities(
    client, world, db, frozen
):
    for n, (municipality, attempts) in enumerate(
        [("hassleholm", 0), ("hassleholm", 3), ("bjuv", 2)]
    ):
        db.add(
            SmsMessage(
                kind="reminder",
                to_e164="+46701112233",
                municipality_id=world.ids[municipality],
                body="Påminnelse",
                due_at=NOW - timedelta(minutes=30 - n),
                not_after=NOW + timedelta(hours=3),
                attempts=attempts,
                dedupe_key=f"backlog:{n}",
            )
        )
    db.commit()
    admin = page(client, world, "admin", "/messages").get_data(as_text=True)
    assert "3 SMS ska ha skickats men väntar" in admin
    assert "2 väntande SMS har misslyckats minst en gång" in admin
    client.post("/logout")
    coordinator = page(client, world, "coord_h", "/messages").get_data(as_text=True)
    assert "2 SMS ska ha skickats men väntar" in coordinator
    assert "1 väntande SMS har misslyckats minst en gång" in coordinator
