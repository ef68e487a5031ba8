"""The open-data API: what it answers, caching, CORS and refusals."""

from __future__ import annotations

import pytest
from sqlmodel import select

from nattvandring.accounts.models import User
from nattvandring.associations.models import Association


def test_municipalities_lists_this_weeks_nights(client, nights):
    response = client.get("/api/v1/municipalities")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert (body["from"], body["to"]) == ("2026-04-27", "2026-05-03")
    by_slug = {m["slug"]: m for m in body["municipalities"]}
    assert (by_slug["hassleholm"]["covered"], by_slug["hassleholm"]["uncovered"]) == (1, 1)
    assert (by_slug["bjuv"]["covered"], by_slug["bjuv"]["uncovered"]) == (0, 1)
    assert by_slug["hassleholm"]["page_url"].endswith("/kommun/hassleholm")
    assert by_slug["hassleholm"]["webcal_url"].startswith("webcal://")


def test_nights_per_area_with_special_nights(client, nights, world):
    body = client.get("/api/v1/municipalities/hassleholm/nights").get_json()
    assert (body["from"], body["to"]) == ("2026-04-29", "2026-05-26")
    assert (body["covered"], body["uncovered"]) == (1, 2)
    [area] = body["areas"]
    assert area["id"] == world.ids["area_h"]
    assert area["meeting_point"] == "Centrum torget"
    assert (area["covered"], area["uncovered"]) == (1, 2)
    assert area["feed_url"].endswith(f"/feeds/kommun/hassleholm/{world.ids['area_h']}.ics")
    valborg, friday, later = body["nights"]
    assert valborg["date"] == "2026-04-30"
    assert valborg["start"] == "2026-04-30T21:00:00+02:00"
    assert valborg["covered"] is True
    assert valborg["associations"] == ["IFK Hässleholm"]
    assert valborg["special"] == {"key": "valborg", "name": "Valborgsmässoafton"}
    assert friday["covered"] is False and friday["special"] is None
    assert later["date"] == "2026-05-09"


def test_nights_window_and_area_filter(client, nights, world):
    body = client.get(
        "/api/v1/municipalities/hassleholm/nights?from=2026-05-01&to=2026-05-01"
    ).get_json()
    assert [n["date"] for n in body["nights"]] == ["2026-05-01"]
    area = world.ids["area_h"]
    body = client.get(f"/api/v1/municipalities/hassleholm/nights?area={area}").get_json()
    assert len(body["nights"]) == 3
    other = client.get(f"/api/v1/municipalities/hassleholm/nights?area={world.ids['area_b']}")
    assert other.status_code == 404
    assert other.get_json()["error"] == "not_found"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("from=yesterday", "from"),
        ("from=2026-02-30", "from"),
        ("to=1999-12-31", "to"),
        ("from=2026-05-10&to=2026-05-01", "to"),
        ("from=2026-01-01&to=2026-12-31", "to"),
        ("area=abc", "area"),
        ("area=-1", "area"),
        ("area=99999999999999999999", "area"),
        ("area=%C2%B2", "area"),
        ("from=2026-05-01%00", "from"),
    ],
)
def test_bad_parameters_answer_400_json(client, nights, query, parameter):
    response = client.get(f"/api/v1/municipalities/hassleholm/nights?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] in ("invalid_parameter", "bad_request")
    assert body["message"]
    if body["error"] == "invalid_parameter":
        assert body["parameter"] == parameter


def test_unknown_municipality_and_path_answer_404_json(client, nights):
    for path in ("/api/v1/municipalities/atlantis/nights", "/api/v1/nothing"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.get_json()["error"] == "not_found"


def test_writes_are_refused_as_json(client, nights):
    response = client.post("/api/v1/municipalities")
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"


def test_etag_and_cache_control_give_304(client, nights):
    first = client.get("/api/v1/municipalities/hassleholm/nights")
    etag = first.headers["ETag"]
    assert etag.startswith('"')
    assert "max-age=300" in first.headers["Cache-Control"]
    assert "public" in first.headers["Cache-Control"]
    again = client.get("/api/v1/municipalities/hassleholm/nights", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    weak = client.get(
        "/api/v1/municipalities/hassleholm/nights", headers={"If-None-Match": f"W/{etag}"}
    )
    assert weak.status_code == 304
    other = client.get(
        "/api/v1/municipalities/hassleholm/nights", headers={"If-None-Match": '"other"'}
    )
    assert other.status_code == 200


def test_etag_changes_when_a_night_is_booked(client, nights, db, world):
    from nattvandring.planning.models import Shift
    from tests.support.shifts import book

    etag = client.get("/api/v1/municipalities").headers["ETag"]
    book(db, db.get(Shift, nights["friday"]), world.ids["assoc_b"])
    db.commit()
    response = client.get("/api/v1/municipalities", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag


def test_cors_allows_get_from_any_site(client, nights):
    response = client.get("/api/v1/municipalities", headers={"Origin": "https://www.hassleholm.se"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = client.options(
        "/api/v1/municipalities/hassleholm/nights",
        headers={
            "Origin": "https://www.hassleholm.se",
            "Access-Control-Request-Method": "GET",
        },
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "POST" not in preflight.headers["Access-Control-Allow-Methods"]


def test_cors_stays_on_the_api(client, nights):
    for path in ("/kommun/hassleholm", "/login", "/feeds/kommun/hassleholm.ics"):
        response = client.get(path, headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in response.headers, path


def test_non_canonical_slug_redirects_keeping_the_query(client, nights):
    response = client.get("/api/v1/municipalities/H%C3%A4ssleholm/nights?from=2026-05-01")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(
        "/api/v1/municipalities/hassleholm/nights?from=2026-05-01"
    )


def test_no_personal_data_in_any_answer(client, nights, db):
    bodies = [
        client.get(path).get_data(as_text=True)
        for path in (
            "/api/v1/municipalities",
            "/api/v1/municipalities/hassleholm/nights",
            "/api/v1/municipalities/bjuv/nights",
            "/kommun/hassleholm/widget",
            "/kommun/hassleholm",
            "/",
        )
    ]
    people = db.exec(select(User)).all()
    associations = db.exec(select(Association)).all()
    secrets = set()
    for person in people:
        secrets |= {person.name, person.email, person.phone_e164}
    for association in associations:
        secrets |= {
            association.contact_name,
            association.contact_email,
            association.contact_phone,
            association.org_number,
            association.account_number,
        }
    secrets.discard(None)
    assert len(secrets) > 10
    for body in bodies:
        for secret in secrets:
            assert secret not in body
        assert "mailto:" not in body and "tel:" not in body


def test_head_and_vary(client, nights):
    response = client.head("/api/v1/municipalities/hassleholm/nights")
    assert response.status_code == 200
    assert response.data == b""
    assert "Accept-Language" in response.headers["Vary"]
    assert response.headers["ETag"]
