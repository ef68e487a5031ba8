"""Real HTTP against a served app: a logged-in session, and requests fired at one moment."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from tests import factories


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


def fire(calls):  # type: ignore[no-untyped-def]
    """Run every call at the same moment from its own thread; returns the status codes."""
    barrier = threading.Barrier(len(calls))

    def run(call):  # type: ignore[no-untyped-def]
        barrier.wait(timeout=30)
        return call().status_code

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
