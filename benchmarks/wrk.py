"""Run ``wrk`` (Debian's package) against one URL and read its summary."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass

_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_LATENCY = re.compile(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_ERRORS = re.compile(r"Non-2xx or 3xx responses: (\d+)|Socket errors: connect [1-9].*")
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Result:
    rate: float
    p50_ms: float
    p99_ms: float


def binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench does it as root)")
    return found


def run(
    url: str,
    *,
    seconds: float,
    connections: int = 8,
    threads: int = 1,
    headers: Mapping[str, str] | None = None,
) -> Result:
    """``wrk -t{threads} -c{connections}`` for ``seconds`` against ``url``.

    Fails on a refused connection or a non-2xx/3xx answer: a rate of error pages measures
    nothing. Requests slower than 30 s count as timeouts (none in a sane run)."""
    argv = [binary(), f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "30s"]
    argv.append("--latency")
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    done = subprocess.run([*argv, url], capture_output=True, text=True, check=True)
    text = done.stdout
    errors = _ERRORS.search(text)
    if errors:
        raise RuntimeError(f"wrk {url}: {errors.group(0)}\n{text}")
    rate = _RATE.search(text)
    if rate is None:
        raise RuntimeError(f"wrk {url}: no rate in\n{text}")
    latencies = {p: float(v) * _UNIT_MS[u] for p, v, u in _LATENCY.findall(text)}
    return Result(float(rate.group(1)), latencies.get("50", 0.0), latencies.get("99", 0.0))
