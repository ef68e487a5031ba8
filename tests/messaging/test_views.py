"""The "Skickade SMS" pages: roles, tenants, filters and the admin's retry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nattvandring.db import get_engine, session_scope
from nattvandring.messaging.models import SmsMessage
from nattvandring.messaging.texts import LINK_MARKER
from tests.conftest import make_test_app
from tests.factories import PASSWORD, build_world, login
from tests.messaging.conftest import NOW, rows


@pytest.fixture
def messages(app, world, db, frozen):
    def add(key, kind, status, assoc, municipality, **extra):
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


def page(client, world, who, url):
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
