"""Hostile query strings: every GET page, sent hostile values in each query parameter it
reads, never answers 5xx, never answers with overlong headers and never changes the database.

Which parameters a page reads is found out, not listed: each page is requested by every
actor the access matrix lets in (200) while the request records the keys looked up
(``recording.RecordingRequest``); a page nobody in the matrix world sees is requested by the
one it answers in its own way. Actors that read the same keys share one sweep (the leader's
hours page reads ``year``, the coordinator's ``from`` and ``to``: both are swept). Keys first
read while sweeping (a parameter read only when another one is set) join the sweep. Each key
gets every value alone, then every key gets the same value at once (``from`` and ``to``
together), then each key is sent twice, then each pair of keys gets far-apart dates. A new
filter is therefore fuzzed as soon as it exists, and no page is skipped. The anonymous
public is sent a long query too: a page that refuses them (a redirect to the login page) must
not copy it into its headers either.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from nattvandring import clock
from nattvandring.app import create_app
from tests.security.conftest import NOW
from tests.security.hostile.recording import Watch, listening
from tests.security.matrix_runner import actors_of, methods_of, parse_spec, row_counts, rules_of
from tests.support.access_matrix import spec_for

VALUES = [
    "",
    " ",
    "x" * 5000,
    "é" * 12_000,  # 72 kB once percent-encoded: a header copying it would be as long
    "\x00",
    "a\x00b",
    "\r\nSet-Cookie: x=1",
    "99999999999999999999",
    "-1",
    "0",
    "2147483647",
    "2147483648",
    "1e309",
    "NaN",
    "0x10",
    "١٢٣",
    "²",
    "😀",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "//evil.example/",
    # Dates: impossible, outside the window (year 1, 9999 and just beside 2000-2100), odd.
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "1999-12-31",
    "2101-01-01",
    "99999-12-31",
    "0001-01",
    "9999-12",
    "2026-13",
    "0001",
    "9999",
    "2027-03-28T02:30",
    "20260430",
]

#: Pairs of far-apart values for two keys at once: days, months and years.
PERIODS = [("2000-01-01", "2024-02-29"), ("2000-01", "2100-12"), ("2000", "2100")]

#: The most header bytes an answer may carry: nginx's proxy_buffer_size is one 4 kB page on
#: most machines, and a response whose headers outgrow it is a 502 there.
MAX_HEADER_BYTES = 4096

APP = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "query-routes-only"})
GET_ENDPOINTS = sorted(r.endpoint for r in rules_of(APP) if "GET" in methods_of(r))


# Whom to send when nobody in the matrix world gets a 200 (a redirect to the leader's only
# association, a report already submitted, a statement not yet made, readiness without a
# worker): the one the page answers in its own way.
FALLBACK = ("302", "409", "404", "503")


def readers(rule) -> list[tuple[str, int]]:
    """Every actor the page lets in (200), else the one who gets furthest, with the status."""
    spec = spec_for(rule.endpoint, "GET")
    assert spec is not None, rule.endpoint
    outcomes = parse_spec(spec, actors_of(rule))
    admitted = [(actor, 200) for actor, outcome in outcomes.items() if outcome == "200"]
    if admitted:
        return admitted
    for wanted in FALLBACK:
        actor = next((actor for actor, outcome in outcomes.items() if outcome == wanted), None)
        if actor is not None:
            return [(actor, int(wanted))]
    raise AssertionError(f"{rule.endpoint}: no actor reaches this page: {spec}")


def keys_read(matrix, rule, actor: str, status: int) -> frozenset[str]:
    """The query keys the page looks up for ``actor`` (requested once, without a query)."""
    watch = Watch()
    clock.freeze(NOW)
    with listening(watch):
        response = matrix.clients[actor].get(matrix.url(rule, actor))
    assert response.status_code == status, (rule.endpoint, actor, response.status_code)
    response.close()
    return frozenset(watch.keys)


def check_answer(response, status: int, sent) -> None:
    """No 5xx (readiness answers 503 by design here) and headers a proxy passes on."""
    code = response.status_code
    assert code < 500 or code == status, (code, _short(sent))
    size = sum(len(name) + len(value) + 4 for name, value in response.headers.items())
    assert size <= MAX_HEADER_BYTES, (size, response.headers.get("Location", "")[:200])
    response.close()


def _short(sent) -> list[tuple[str, str]]:
    return [(key, value[:40]) for key, value in sent]


def sweep(matrix, rule, actor: str, status: int, keys: frozenset[str]) -> set[str]:
    """Send the hostile values through ``keys``; returns every key the page read meanwhile."""
    client, url = matrix.clients[actor], matrix.url(rule, actor)
    watch = Watch()

    def get(pairs: list[tuple[str, str]]) -> None:
        clock.freeze(NOW)
        with listening(watch):
            response = client.get(f"{url}?{urlencode(pairs)}")
        check_answer(response, status, pairs)

    todo, done = sorted(keys), set()
    while todo:  # a key first read during the sweep is swept too
        key = todo.pop()
        done.add(key)
        for value in VALUES:
            get([(key, value)])
        get([(key, "2026-11"), (key, "x" * 300)])  # the key twice
        todo += sorted(watch.keys - done - set(todo))
    for value in VALUES:
        get([(key, value) for key in sorted(done)])
    # Two keys far apart (a period from the window's first day to a leap day, say): the page's
    # own limits on a period then run (cutting one to three years was a 500 on a 29 February).
    for first in sorted(done):
        for second in sorted(done - {first}):
            for low, high in PERIODS:
                get([(first, low), (second, high)])
    return done


@pytest.mark.parametrize("endpoint", GET_ENDPOINTS)
def test_hostile_query_values_never_break_a_page(matrix, endpoint):
    rule = next(r for r in rules_of(matrix.app) if r.endpoint == endpoint)
    counts = row_counts(matrix.engine)
    swept: set[frozenset[str]] = set()
    for actor, status in readers(rule):
        keys = keys_read(matrix, rule, actor, status)
        if keys in swept:
            continue  # the same parameters, read for an actor of another kind already swept
        swept.add(keys)
        sweep(matrix, rule, actor, status, keys)
    # Refused, the page reads nothing; the answer (a redirect to the login page, say) must
    # still not copy the query string into its headers.
    for value in ("é" * 12_000, "\r\nSet-Cookie: x=1"):
        clock.freeze(NOW)
        pairs = [("month", value), ("next", value)]
        anonymous = matrix.clients["anon"].get(f"{matrix.url(rule, 'anon')}?{urlencode(pairs)}")
        check_answer(anonymous, 503 if endpoint == "ops.readyz" else 500, pairs)
    assert row_counts(matrix.engine) == counts


#: Parameters the sweep must find (a check on the discovery itself): if recording stopped
#: working, every page would be swept with no keys at all and the test above would pass.
EXPECTED_KEYS = {
    "planning.calendar": {"month", "view", "area"},
    "booking.calendar": {"month", "view", "area", "open"},
    "planning.series_new": {"start_date", "end_date", "last_school_day"},
    "reports.situation": {"from", "to", "area"},
    "reports.hours": {"from", "to", "area", "association", "year"},
    "messaging.outbox": {"day", "status", "kind"},
    "sponsorship.dashboard": {"start", "end", "municipality", "association"},
}


@pytest.mark.parametrize("endpoint", sorted(EXPECTED_KEYS))
def test_the_sweep_finds_the_parameters_of_every_reader(matrix, endpoint):
    rule = next(r for r in rules_of(matrix.app) if r.endpoint == endpoint)
    found = set().union(*(keys_read(matrix, rule, a, s) for a, s in readers(rule)))
    assert EXPECTED_KEYS[endpoint] <= found, (endpoint, sorted(found))
