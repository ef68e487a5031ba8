"""Hostile query strings: every GET page, sent hostile values in each query parameter it
reads, never answers 500 and never changes the database.

Which parameters a page reads is found out, not listed: each page is requested once by the
actor the access matrix lets furthest in while the request records the keys looked up. A new
filter is therefore fuzzed as soon as it exists. No page is skipped.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from nattvandring import clock
from nattvandring.app import create_app
from tests.security.conftest import NOW
from tests.security.hostile.recording import Watch, listening
from tests.security.matrix_runner import methods_of, row_counts, rules_of
from tests.security.test_access_matrix import _actors, _parse, _spec_for

VALUES = [
    "x" * 5000,
    "99999999999999999999",
    "-1",
    "0",
    "2026-02-30",
    "99999-12-31",
    "2027-03-28T02:30",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "١٢٣",
    "²",
    "2147483647",
    "2147483648",
    "NaN",
    "😀",
    "",
]

APP = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "query-routes-only"})
GET_ENDPOINTS = sorted(r.endpoint for r in rules_of(APP) if "GET" in methods_of(r))


# Whom to send: one the page lets in (200); for a page nobody in the matrix world sees
# (a redirect to the leader's only association, a report already submitted, a statement
# not yet made, readiness without a worker), one it answers in its own way instead.
PREFERRED = ("200", "302", "409", "404", "503")


def _reader(rule) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """The actor who gets furthest into the page, and the status it answers them."""
    spec = _spec_for(rule.endpoint, "GET")
    assert spec is not None, rule.endpoint
    outcomes = _parse(spec, _actors(rule))
    for wanted in PREFERRED:
        actor = next((actor for actor, outcome in outcomes.items() if outcome == wanted), None)
        if actor is not None:
            return actor, int(wanted)
    raise AssertionError(f"{rule.endpoint}: no actor reaches this page: {spec}")


@pytest.mark.parametrize("endpoint", GET_ENDPOINTS)
def test_hostile_query_values_never_break_a_page(matrix, endpoint):  # type: ignore[no-untyped-def]
    rule = next(r for r in rules_of(matrix.app) if r.endpoint == endpoint)
    actor, status = _reader(rule)
    client, url = matrix.clients[actor], matrix.url(rule, actor)
    clock.freeze(NOW)
    watch = Watch()
    with listening(watch):
        assert client.get(url).status_code == status  # type: ignore[attr-defined]
    counts = row_counts(matrix.engine)
    for key in sorted(watch.keys):
        for value in VALUES:
            clock.freeze(NOW)
            response = client.get(f"{url}?{urlencode({key: value})}")  # type: ignore[attr-defined]
            # Readiness answers 503 by design here; any other 5xx is a failure.
            assert response.status_code < 500 or response.status_code == status, (key, value[:40])
            response.close()
    assert row_counts(matrix.engine) == counts
