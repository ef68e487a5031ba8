"""Hostile query strings: every GET page, sent hostile values in each query parameter it
reads, never answers 500 and never changes the database.

Which parameters a page reads is found out, not listed: each page is requested once by an
actor the access matrix lets in while the request records the keys looked up. A new filter
is therefore fuzzed as soon as it exists.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlencode

import pytest

from nattvandring import clock
from nattvandring.app import create_app
from tests.security.conftest import NOW
from tests.security.hostile.recording import RecordingRequest, Watch, listening
from tests.security.matrix_runner import Matrix, methods_of, row_counts, rules_of
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


@pytest.fixture(scope="module")
def matrix():  # type: ignore[no-untyped-def]
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(dir=shm if shm.is_dir() else None))
    runner = Matrix(folder)
    runner.app.request_class = RecordingRequest
    yield runner
    runner.engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)


def _reader(rule) -> str | None:  # type: ignore[no-untyped-def]
    """An actor for whom the page answers 200."""
    spec = _spec_for(rule.endpoint, "GET")
    assert spec is not None, rule.endpoint
    outcomes = _parse(spec, _actors(rule))
    return next((actor for actor, outcome in outcomes.items() if outcome == "200"), None)


@pytest.mark.parametrize("endpoint", GET_ENDPOINTS)
def test_hostile_query_values_never_break_a_page(matrix, endpoint):  # type: ignore[no-untyped-def]
    rule = next(r for r in rules_of(matrix.app) if r.endpoint == endpoint)
    actor = _reader(rule)
    if actor is None:
        pytest.skip("no actor gets a 200 from this page in the access-matrix world")
    client, url = matrix.clients[actor], matrix.url(rule, actor)
    clock.freeze(NOW)
    watch = Watch()
    with listening(watch):
        assert client.get(url).status_code == 200  # type: ignore[attr-defined]
    counts = row_counts(matrix.engine)
    for key in sorted(watch.keys):
        for value in VALUES:
            clock.freeze(NOW)
            response = client.get(f"{url}?{urlencode({key: value})}")  # type: ignore[attr-defined]
            assert response.status_code < 500, (key, value[:40])
            response.close()
    assert row_counts(matrix.engine) == counts
