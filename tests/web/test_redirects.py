"""Return-to paths posted by forms (``next``) stay on this site."""

from __future__ import annotations

import pytest

from nattvandring.web.redirects import local_path


@pytest.mark.parametrize(
    "value",
    ["/", "/login", "/kommun/hässleholm?month=2026-12", "/reports/3#historik", "/a%20b"],
)
def test_paths_on_this_site_are_kept(value):  # type: ignore[no-untyped-def]
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
    ],
)
def test_anything_else_falls_back(value):  # type: ignore[no-untyped-def]
    assert local_path(value, "/start") == "/start"


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\\evil.example", "/\n/evil.example"])
def test_language_switch_cannot_be_turned_into_an_open_redirect(client, target):  # type: ignore[no-untyped-def]
    response = client.post("/lang", data={"lang": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
