"""Return-to paths posted by forms (``next``) stay on this site."""

from __future__ import annotations

import pytest

from nattvandring.web.redirects import local_path


@pytest.mark.parametrize(
    "value",
    ["/", "/login", "/kommun/hässleholm?month=2026-12", "/reports/3#historik", "/a%20b"],
)
def test_paths_on_this_site_are_kept(value):
    assert local_path(value, "/start") == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "login",
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",  # a browser reads the backslash as a slash: //evil.example
        "/\t/evil.example",  # and drops the tab: //evil.example
        "/\n/evil.example",
        "/\r\nSet-Cookie: x=1",
        " //evil.example",
        "/\x00",
        "/ /x",
        "/" + "x" * 512,  # longer than MAX_PATH_BYTES: only copied into the Location header
        "/" + "é" * 256,
    ],
)
def test_anything_else_falls_back(value):
    assert local_path(value, "/start") == "/start"


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\\evil.example", "/\n/evil.example"])
def test_language_switch_cannot_be_turned_into_an_open_redirect(client, target):
    response = client.post("/lang", data={"lang": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_long_return_path_is_not_copied_into_the_location_header(client):
    assert local_path("/" + "x" * 511, "/start") == "/" + "x" * 511
    response = client.post("/lang", data={"lang": "en", "next": "/" + "é" * 35_000})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_login_redirect_carries_no_copy_of_the_request(client):
    """Flask-Login put the whole URL into ?next= (a 70 kB query string: a 70 kB header)."""
    response = client.get(f"/planning/1/calendar?month={'9' * 70_000}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert "Logga in för att se sidan." in page
