"""Absurd dates in a query string: a translated 400 (a GET filter form: 422), never a 500.

Year 9999 or year 1 in ``month=``, ``from=``, ``to=``, ``start_date=`` and the like used to be
a 500 on these pages (date arithmetic overflowing past year 9999 or before year 1).
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from nattvandring import clock
from tests.security.conftest import NOW
from tests.security.matrix_runner import row_counts, rules_of

QUERY = "Ogiltig"  # "Ogiltigt datum / Ogiltig månad / Ogiltigt år i adressen"
WINDOW = "mellan 2000-01-01 och 2100-12-31"

CASES = [
    ("coord_h", "planning.calendar", {"month": "9999-12"}),
    ("coord_h", "planning.calendar", {"month": "0001-01"}),
    ("coord_h", "planning.calendar", {"month": "2026-13"}),
    ("leader_a", "booking.calendar", {"month": "9999-12"}),
    ("coord_h", "reports.situation", {"from": "9999-12-31"}),
    ("coord_h", "reports.situation", {"to": "9999-12-31"}),
    ("coord_h", "reports.situation", {"from": "0001-01-01", "to": "0001-12-31"}),
    ("coord_h", "reports.situation_csv", {"from": "9999-12-31"}),
    ("coord_h", "reports.situation_xlsx", {"to": "9999-12-31"}),
    ("coord_h", "reports.hours", {"from": "0001-01-01", "to": "9999-12-31"}),
    ("coord_h", "reports.hours", {"to": "9999-12-31"}),
    ("leader_a", "reports.hours", {"year": "9999"}),
    ("leader_a", "reports.hours", {"year": "1"}),
    ("coord_h", "planning.series_new", {"start_date": "9999-12-01", "end_date": "9999-12-31"}),
    ("coord_h", "planning.series_new", {"start_date": "0001-01-01"}),
    ("coord_h", "planning.series_new", {"last_school_day": "9999-06-11"}),
    ("liaison", "sponsorship.dashboard", {"start": "0001-01-01", "end": "9999-12-31"}),
    ("coord_h", "reports.situation_pdf", {"from": "0001-01-01"}),
    ("coord_h", "reports.situation_pdf", {"to": "9999-12-31"}),
    ("coord_h", "planning.special_nights", {"start_date": "9999-12-01"}),
    ("coord_h", "planning.special_nights", {"end_date": "0001-01-01"}),
]


def _get(matrix, actor: str, endpoint: str, query: dict[str, str]):
    rule = next(r for r in rules_of(matrix.app) if r.endpoint == endpoint)
    clock.freeze(NOW)
    url = f"{matrix.url(rule, actor)}?{urlencode(query)}"
    response = matrix.clients[actor].get(url)
    return response, response.get_data().decode("utf-8", "replace")


@pytest.mark.parametrize(("actor", "endpoint", "query"), CASES)
def test_a_date_outside_the_window_is_a_translated_400(matrix, actor, endpoint, query):
    counts = row_counts(matrix.engine)
    response, html = _get(matrix, actor, endpoint, query)
    assert response.status_code == 400, (endpoint, query, response.status_code)
    assert QUERY in html and "i adressen" in html, html[:2000]
    assert row_counts(matrix.engine) == counts


@pytest.mark.parametrize(
    ("actor", "endpoint", "query"),
    [
        ("admin", "planning.calendar", {"month": "9999-12"}),
        ("admin", "reports.situation", {"from": "x"}),
        ("leader_a", "reports.hours", {"year": "0"}),
    ],
)
def test_the_400_is_translated(matrix, actor, endpoint, query):
    client = matrix.clients[actor]
    client.post("/lang", data={"lang": "en"})
    try:
        response, text = _get(matrix, actor, endpoint, query)
    finally:
        client.post("/lang", data={"lang": "sv"})
    assert response.status_code == 400 and "Invalid" in text and "in the address" in text


INSIDE = {7: "2026-11", 10: "2026-11-02"}  # a month, a day; anything else is a year


def test_the_same_pages_take_dates_inside_the_window(matrix):
    for actor, endpoint, query in CASES:
        inside = {key: INSIDE.get(len(value), "2026") for key, value in query.items()}
        response, _html = _get(matrix, actor, endpoint, inside)
        assert response.status_code == 200, (endpoint, inside, response.status_code)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_sms_filter_form_shows_the_window_next_to_its_date(matrix, day):
    response, html = _get(matrix, "coord_h", "messaging.outbox", {"day": day})
    assert response.status_code == 422 and WINDOW in html


@pytest.mark.parametrize(
    "endpoint",
    [
        "reports.situation",
        "reports.situation_csv",
        "reports.situation_xlsx",
        "reports.situation_pdf",
        "reports.hours",
    ],
)
def test_a_period_cut_to_three_years_from_a_leap_day_is_no_500(matrix, endpoint):
    # 2024-02-29 minus three years by replacing the year was 2021-02-29: a 500.
    response, _html = _get(matrix, "coord_h", endpoint, {"from": "2000-01-01", "to": "2024-02-29"})
    assert response.status_code == 200, (endpoint, response.status_code)
