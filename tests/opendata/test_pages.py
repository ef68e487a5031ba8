"""The public pages: the home page's week, slugs with å/ä/ö, the municipality page and the
embeddable widget."""

from __future__ import annotations

import re

import pytest

from nattvandring.web.caching import cache
from tests import factories
from tests.support.queries import count_queries


def test_home_page_lists_municipalities_with_this_weeks_nights(client, nights):
    page = client.get("/").get_data(as_text=True)
    assert "Nattvandring den här veckan" in page
    assert 'href="/kommun/hassleholm"' in page
    assert 'href="/kommun/bj' in page
    assert "1 bevakad kväll" in page
    assert "1 obevakad" in page
    assert "Vecka 18" in page
    assert "Logga in" in page


def test_home_page_in_english(client, nights):
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Night patrols this week" in page
    assert "1 covered night" in page


def test_home_page_queries_do_not_grow_with_municipalities(app, client, nights, db):
    client.get("/")
    client.get("/api/v1/municipalities")
    with app.app_context():
        cache.clear()  # the start page's fragment is rendered again (web/page_cache.py)
    with count_queries(app) as few:
        client.get("/")
    with count_queries(app) as few_api:
        client.get("/api/v1/municipalities")
    for n in range(12):
        factories.area(db, factories.municipality(db, f"Extra {n}"))
    db.commit()
    with count_queries(app) as many:
        page = client.get("/").get_data(as_text=True)
    with count_queries(app) as many_api:
        body = client.get("/api/v1/municipalities").get_json()
    assert "Extra 11" in page and len(body["municipalities"]) == 14
    assert many.count == few.count
    assert many_api.count == few_api.count


@pytest.mark.parametrize(
    "path",
    [
        "/kommun/hässleholm",
        "/kommun/H%C3%A4ssleholm",
        "/kommun/ha%CC%88ssleholm",  # a decomposed ä
        "/kommun/HASSLEHOLM",
        "/kommun/h%25C3%25A4ssleholm",  # encoded twice
    ],
)
def test_slugs_with_swedish_letters_redirect_to_the_canonical_one(client, nights, path):
    response = client.get(path)
    assert response.status_code in (301, 308)
    assert response.headers["Location"].endswith("/kommun/hassleholm")
    assert client.get(response.headers["Location"]).status_code == 200


def test_widget_slug_redirects_too(client, nights):
    response = client.get("/kommun/hässleholm/widget")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/kommun/hassleholm/widget")


@pytest.mark.parametrize("path", ["/kommun/atlantis", "/kommun/åäö", "/kommun/" + "x" * 300])
def test_unknown_slugs_answer_a_404_page(client, nights, path):
    swedish = client.get(path)
    assert swedish.status_code == 404
    assert "Sidan finns inte" in swedish.get_data(as_text=True)


def test_unknown_slugs_answer_a_translated_404(client, nights):
    # One request per test: the fixtures' app context keeps the first request's locale.
    english = client.get("/kommun/åäö", headers={"Accept-Language": "en"})
    assert english.status_code == 404
    assert "Page not found" in english.get_data(as_text=True)


def test_public_page_shows_meeting_points_with_map_links(client, nights):
    page = client.get("/kommun/hassleholm").get_data(as_text=True)
    assert "Mötesplatser" in page
    assert "Centrum torget" in page
    assert 'href="geo:56.150000,13.760000"' in page
    assert "https://www.openstreetmap.org/?mlat=56.150000&amp;mlon=13.760000" in page


def test_public_page_says_how_to_join(client, nights, db, world):
    factories.association(
        db, db.get(factories.Municipality, world.ids["hassleholm"]), "Väntande IF", status="pending"
    )
    db.commit()
    page = client.get("/kommun/hassleholm").get_data(as_text=True)
    assert "Vill du nattvandra?" in page
    assert "IFK Hässleholm" in page and "Scoutkåren" in page
    assert "Väntande IF" not in page
    assert 'href="/associations/register"' in page or "/register" in page


def test_public_page_links_municipality_and_area_feeds(client, nights, world):
    page = client.get("/kommun/hassleholm").get_data(as_text=True)
    area = world.ids["area_h"]
    assert 'href="webcal://localhost/feeds/kommun/hassleholm.ics"' in page
    assert 'href="http://localhost/feeds/kommun/hassleholm.ics"' in page
    assert f'href="webcal://localhost/feeds/kommun/hassleholm/{area}.ics"' in page
    assert f'href="http://localhost/feeds/kommun/hassleholm/{area}.ics"' in page
    assert 'href="/api/v1/municipalities/hassleholm/nights"' in page
    assert 'href="/kommun/hassleholm/widget"' in page


def test_public_page_names_special_nights(client, nights):
    page = client.get("/kommun/hassleholm").get_data(as_text=True)
    assert "Valborgsmässoafton" in page


def test_widget_is_frameable_and_runs_no_script(client, nights):
    response = client.get("/kommun/hassleholm/widget")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp
    assert "script-src" not in csp and "default-src 'none'" in csp
    assert "X-Frame-Options" not in response.headers
    page = response.get_data(as_text=True)
    assert "<script" not in page.lower()
    assert not re.search(r"\son[a-z]+\s*=", page)  # no inline handlers
    assert "<form" not in page
    assert "Valborgsmässoafton" in page
    assert "Bevakad" in page and "Söker förening" in page
    assert 'target="_blank"' in page and "/kommun/hassleholm" in page


def test_other_pages_still_refuse_framing(client, nights):
    for path in ("/", "/kommun/hassleholm", "/login", "/api/v1/municipalities"):
        response = client.get(path)
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path


def test_widget_shows_only_coming_nights_and_a_limited_number(client, nights, db, world):
    from datetime import date, timedelta

    from tests.support.shifts import make_shift

    for n in range(15):
        make_shift(
            db,
            municipality_id=world.ids["hassleholm"],
            area_id=world.ids["area_h"],
            day=date(2026, 5, 3) + timedelta(days=n),
            start=__import__("datetime").time(19),
            end=__import__("datetime").time(20),
        )
    db.commit()
    page = client.get("/kommun/hassleholm/widget").get_data(as_text=True)
    assert page.count('class="covered"') + page.count('class="uncovered"') == 12
    assert "kvällar till" in page


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ("from=2026-05-01&x=%ZZ", "?from=2026-05-01&x=%25ZZ"),  # a stray % is re-encoded
        ("a=%C3%A9", "?a=%C3%A9"),
        ("k=%3Cscript%3E%0D%0A", "?k=%3Cscript%3E%0D%0A"),
        ("a=" + "x" * 2000, ""),  # a long query is dropped, not copied
    ],
)
def test_slug_redirect_rebuilds_the_query_from_parsed_values(client, nights, query, kept):
    response = client.get("/kommun/H%C3%A4ssleholm?" + query)
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/kommun/hassleholm" + kept)


def test_slug_redirect_never_copies_raw_bytes(client, nights):
    response = client.get("/kommun/H%C3%A4ssleholm?a=\xe9")  # sent as UTF-8, unencoded
    location = response.headers["Location"]
    assert location.endswith("/kommun/hassleholm?a=%C3%A9")
    assert re.fullmatch(r"[A-Za-z0-9/:._~?&=%+-]*", location), location
    assert not re.search(r"%(?![0-9A-F]{2})", location)
