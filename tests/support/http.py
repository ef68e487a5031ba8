"""Real HTTP against a served app: the app on a threaded server, a logged-in session, and
requests fired at one moment."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import requests
from flask import Flask
from werkzeug.serving import make_server

from nattvandring import clock
from nattvandring.db import get_engine
from tests import factories
from tests.support.booking import NOW
from tests.support.database import make_test_app


@contextmanager
def served_app(tmp_path, **overrides) -> Iterator[tuple[Flask, str]]:
    """A test app (``overrides`` change settings) on a threaded WSGI server, so that each
    request gets its own thread and database connection as in production, with the clock
    frozen at ``NOW``; yields the app and its base URL. The Flask test client would run
    requests one at a time."""
    app = make_test_app(tmp_path, **overrides)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    clock.freeze(NOW)
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        get_engine(app).dispose()


def logged_in(base: str, email: str) -> requests.Session:
    http = requests.Session()
    http.trust_env = False
    response = http.post(
        f"{base}/login",
        data={"email": email, "password": factories.PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:300]
    return http


def fire(calls):
    """Run every call at the same moment from its own thread; returns the status codes."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=30)
        return call().status_code

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
