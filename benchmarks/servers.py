"""The app and the bare-Flask limit, each under gunicorn with config/gunicorn.conf.py."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from tests.support import processes

CONFIG = str(processes.ROOT / "config" / "gunicorn.conf.py")


@contextmanager
def serve(
    settings: Mapping[str, object], *, app: str | None = None, workers: int = 2, threads: int = 1
) -> Iterator[str]:
    """gunicorn with the production config serving ``app`` (default: the config's own, the
    Nattvandring factory); yields its base URL. ``threads`` > 1 means gthread workers."""
    port = processes.free_port()
    env = processes.app_environment(settings)
    env.update(
        NATTVANDRING_BIND=f"127.0.0.1:{port}",
        NATTVANDRING_WEB_WORKERS=str(workers),
        NATTVANDRING_WEB_THREADS=str(threads),
        # The worktree's code, whatever the virtualenv's editable install points at.
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(processes.ROOT), os.environ.get("PYTHONPATH")])
        ),
    )
    argv = [str(processes.BIN / "gunicorn"), "-c", CONFIG, *([app] if app else [])]
    process = processes.spawn(argv, env)
    base = f"http://127.0.0.1:{port}"
    try:
        processes.wait_for_http(
            f"{base}/healthz" if app is None else base, process=process, timeout=180
        )
        yield base
    finally:
        printed = processes.stop(process)
        if "Traceback" in printed:
            print(printed[-3000:])
