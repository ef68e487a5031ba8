"""The public routes (home page, municipality page, widget, open-data API) show nothing
private: no person's name, number or address, no association's contact or bank details, no
report text. Run on the security suite's rich world (reports, SMS, pending memberships)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from nattvandring import clock
from nattvandring.accounts.models import User
from nattvandring.associations.models import Association, RegistrationRequest
from nattvandring.db import get_engine, session_scope
from nattvandring.formatting import national_phone
from nattvandring.planning.models import PatrolArea
from tests.security.conftest import NOW, build_rich_world
from tests.support.access_matrix import EXPECTED

PUBLIC_ENDPOINTS = ("web.index", "planning.public", "opendata.")


def _public_urls(slug: str) -> list[str]:
    return [
        "/",
        f"/kommun/{slug}",
        f"/kommun/{slug}/widget",
        "/api/v1/municipalities",
        f"/api/v1/municipalities/{slug}/nights",
        f"/api/v1/municipalities/{slug}/nights?from=2026-10-01&to=2026-12-31",
        "/api/v1/openapi.json",
    ]


@pytest.fixture
def rich(app):
    with app.test_request_context(), session_scope(get_engine(app)) as session:
        world = build_rich_world(session, app.config["SECRET_KEY"])
    clock.freeze(NOW)
    return world


def _private_values(session) -> set[str]:
    found: set[str] = set()
    for person in session.exec(select(User)):
        found |= {person.name, person.email or "", person.phone_e164 or ""}
        found.add(national_phone(person.phone_e164))
    for association in session.exec(select(Association)):
        found |= {
            association.contact_name,
            association.contact_email,
            association.contact_phone,
            national_phone(association.contact_phone),
            association.org_number,
            association.account_number,
        }
    for request in session.exec(select(RegistrationRequest)):
        found |= {request.contact_name, request.contact_email, request.contact_phone}
    found |= {"Lugn kväll", "Trasig belysning", "Typat Namn", "Du är bokad"}
    found.discard("")
    return found


def test_the_public_routes_are_all_covered_here():
    public = {key for key in EXPECTED if key.startswith(PUBLIC_ENDPOINTS)}
    assert public == {
        "web.index",
        "planning.public",
        "opendata.municipalities",
        "opendata.nights",
        "opendata.openapi_description",
        "opendata.widget",
    }


def test_public_routes_leak_nothing_private(app, client, rich, db):
    hassleholm = db.get(PatrolArea, rich.ids["area_h"]).municipality_id
    assert hassleholm == rich.ids["hassleholm"]
    slug = "hässleholm"
    private = _private_values(db)
    assert len(private) > 20
    bodies = {}
    for url in _public_urls(slug):
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[url] = response.get_data(as_text=True)
    # The data is really there: Friday's booked walk and its association.
    assert (
        "IFK Hässleholm"
        in bodies[f"/api/v1/municipalities/{slug}/nights?from=2026-10-01&to=2026-12-31"]
    )
    for url, body in bodies.items():
        for value in private:
            assert value not in body, f"{value!r} on {url}"
        assert "mailto:" not in body and "tel:" not in body, url


def test_widget_and_api_set_no_session_and_need_no_login(app, rich):
    """Pages with the language form carry a CSRF session; the widget and the API do not."""
    client = app.test_client()
    for url in _public_urls("hässleholm")[2:]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url


def test_a_hostile_area_name_stays_inert(app, client, rich, db):
    area = db.get(PatrolArea, rich.ids["area_h"])
    area.name = "<script>alert(1)</script>"
    area.meeting_point = '"><img src=x onerror=alert(1)>'
    db.add(area)
    db.commit()
    for url in ("/kommun/hässleholm", "/kommun/hässleholm/widget"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in body and "<img src=x" not in body, url
    data = client.get("/api/v1/municipalities/hässleholm/nights?from=2026-11-01").get_json()
    assert data["areas"][0]["name"] == "<script>alert(1)</script>"
    assert date.fromisoformat(data["from"]) == date(2026, 11, 1)
