"""Real processes for tests: gunicorn web servers and `nattvandring worker`s.

Used where the Flask test client would hide what matters (several processes sharing one
database, a real browser). Every process listens on 127.0.0.1 only and is stopped at the end.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Each xdist worker and process draws its own ports.
_random = random.Random()


def free_port() -> int:
    """A port no one listens on, below the kernel's ephemeral range.

    A port from ``bind(0)`` comes from the ephemeral range, which the kernel also hands to
    outgoing connections (to PostgreSQL, to the fake Twilio): between choosing a port and a
    server binding it, a client socket could take it ("Address already in use"). Below that
    range only listeners live, so a port found free stays free for the servers started here."""
    low = _ephemeral_range()[0]
    if low <= 11_000:  # an unusual kernel setting: no room below, take the kernel's choice
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]
    for _ in range(200):
        port = _random.randrange(10_000, low)
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    except (OSError, ValueError):
        return 32768, 60999
    return int(low), int(high)


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


def spawn(argv: list[str], env: Mapping[str, str]) -> subprocess.Popen:
    """Start ``argv`` in the repository with its output going to a temporary file.

    Not to a pipe: nobody reads a pipe while the process runs, and a process that fills it
    (64 KiB of logs) would block on its next write.
    """
    # Closed by stop(); it must outlive this function, so no ``with``.
    log = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")  # noqa: SIM115
    process = subprocess.Popen(
        argv, cwd=ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT, text=True
    )
    process.output_file = log
    return process


def output(process: subprocess.Popen) -> str:
    """What the process has printed so far."""
    log = getattr(process, "output_file", None)
    if log is None:
        return process.stdout.read() if process.stdout else ""
    log.flush()
    log.seek(0)
    return log.read()


def wait_for_http(
    url: str,
    *,
    timeout: float = 30.0,
    process: subprocess.Popen | Sequence[subprocess.Popen] | None = None,
    verify: bool | str = True,
) -> None:
    """Poll ``url`` until it answers below 500, failing early when ``process`` (or one of
    several) exits; ``verify`` is requests' (a CA file for a self-signed certificate)."""
    watched = (
        []
        if process is None
        else [process]
        if isinstance(process, subprocess.Popen)
        else list(process)
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for running in watched:
            if running.poll() is not None:
                raise RuntimeError(f"process exited with {running.returncode}:\n{output(running)}")
        try:
            if requests.get(url, timeout=1, verify=verify).status_code < 500:
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
    printed = output(process)
    log = getattr(process, "output_file", None)
    if log is not None:
        log.close()
    return printed


def _gunicorn_process(
    settings: Mapping[str, object], *, workers: int, threads: int
) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = app_environment(settings)
    env.update(
        NATTVANDRING_BIND=f"127.0.0.1:{port}",
        NATTVANDRING_WEB_WORKERS=str(workers),
        NATTVANDRING_WEB_THREADS=str(threads),
    )
    process = spawn([str(BIN / "gunicorn"), "-c", str(ROOT / "config" / "gunicorn.conf.py")], env)
    return process, f"http://127.0.0.1:{port}"


@contextmanager
def gunicorn_servers(
    settings: Mapping[str, object],
    count: int = 1,
    *,
    workers: int = 1,
    threads: int = 4,
    logs: list[str] | None = None,
    timeout: float = 60.0,
) -> Iterator[list[str]]:
    """``count`` gunicorn servers with our production config, started side by side.

    Yields their base URLs once every one answers /healthz. What each server printed is
    appended to ``logs`` (if given) once it has stopped.
    """
    started = [_gunicorn_process(settings, workers=workers, threads=threads) for _ in range(count)]
    try:
        for process, base_url in started:
            wait_for_http(f"{base_url}/healthz", process=process, timeout=timeout)
        yield [base_url for _process, base_url in started]
    finally:
        for process, _base_url in started:
            printed = stop(process)
            if logs is not None:
                logs.append(printed)


@contextmanager
def gunicorn(
    settings: Mapping[str, object],
    *,
    workers: int = 1,
    threads: int = 4,
    logs: list[str] | None = None,
) -> Iterator[str]:
    """A gunicorn server with our production config; yields its base URL."""
    with gunicorn_servers(settings, 1, workers=workers, threads=threads, logs=logs) as urls:
        yield urls[0]


@contextmanager
def workers(
    settings: Mapping[str, object], count: int = 1, *, logs: list[str] | None = None
) -> Iterator[list[subprocess.Popen]]:
    """``count`` `nattvandring worker` processes sharing one database.

    What each worker printed is appended to ``logs`` (if given) once it has stopped.
    """
    env = app_environment(settings)
    processes = [spawn([str(BIN / "nattvandring"), "worker"], env) for _ in range(count)]
    try:
        yield processes
    finally:
        for process in processes:
            printed = stop(process)
            if logs is not None:
                logs.append(printed)
