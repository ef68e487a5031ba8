"""A small bounded threaded load generator for 127.0.0.1 (keep-alive clients, one per thread)."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests


@dataclass
class Result:
    requests: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: int) -> float:
        ordered = sorted(self.latencies_ms)
        if len(ordered) == 1:
            return ordered[0]
        return statistics.quantiles(ordered, n=100, method="inclusive")[p - 1]


def run(
    url: str,
    *,
    total: int,
    threads: int,
    headers: Mapping[str, str] | None = None,
    expect: int = 200,
    cookies: requests.cookies.RequestsCookieJar | None = None,
    warmup: int | None = None,
) -> Result:
    """``total`` GETs of ``url`` over ``threads`` clients, after a short warm-up."""
    local = threading.local()
    headers = dict(headers or {})

    def one(_: int) -> float:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = requests.Session()
            client.trust_env = False
            if cookies is not None:
                client.cookies.update(cookies)
        started = time.perf_counter()
        response = client.get(url, headers=headers, timeout=60, allow_redirects=False)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != expect:
            raise RuntimeError(f"{url}: {response.status_code}, expected {expect}")
        return elapsed

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(min(total // 5, 50) if warmup is None else warmup)))
        started = time.perf_counter()
        latencies = list(pool.map(one, range(total)))
        elapsed = time.perf_counter() - started
    return Result(requests=total, seconds=elapsed, latencies_ms=latencies)
