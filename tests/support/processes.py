"""Real processes for tests: gunicorn web servers and `nattvandring worker`s.

Used where the Flask test client would hide what matters (several processes sharing one
database, a real browser). Every process listens on 127.0.0.1 only and is stopped at the end.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_environment(settings: Mapping[str, object]) -> dict[str, str]:
    """The current environment plus NATTVANDRING_* variables for ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NATTVANDRING_")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    for key, value in settings.items():
        if isinstance(value, list | tuple):
            value = ",".join(str(item) for item in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        env[f"NATTVANDRING_{key}"] = str(value)
    return env


def wait_for_http(
    url: str, *, timeout: float = 30.0, process: subprocess.Popen | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise RuntimeError(f"process exited with {process.returncode}:\n{output}")
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def stop(process: subprocess.Popen, *, timeout: float = 10.0) -> str:
    """Stop gracefully (SIGTERM), then kill; returns what the process printed."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.stdout.read() if process.stdout else ""


@contextmanager
def gunicorn(
    settings: Mapping[str, object], *, workers: int = 1, threads: int = 4
) -> Iterator[str]:
    """A gunicorn server with our production config; yields its base URL."""
    port = free_port()
    env = app_environment(settings)
    env.update(
        NATTVANDRING_BIND=f"127.0.0.1:{port}",
        NATTVANDRING_WEB_WORKERS=str(workers),
        NATTVANDRING_WEB_THREADS=str(threads),
    )
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", str(ROOT / "config" / "gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base_url}/healthz", process=process)
        yield base_url
    finally:
        stop(process)


@contextmanager
def workers(settings: Mapping[str, object], count: int = 1) -> Iterator[list[subprocess.Popen]]:
    """``count`` `nattvandring worker` processes sharing one database."""
    env = app_environment(settings)
    processes = [
        subprocess.Popen(
            [str(BIN / "nattvandring"), "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(count)
    ]
    try:
        yield processes
    finally:
        for process in processes:
            stop(process)
