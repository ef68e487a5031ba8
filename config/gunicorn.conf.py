"""gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py`.

Every value can be overridden with the usual GUNICORN_CMD_ARGS or command-line flags.
The app is built by the factory in each worker; the scheduler is NOT started here: run
`nattvandring worker` as its own service (any number of them is safe).
"""

import multiprocessing
import os

wsgi_app = "nattvandring.app:create_app()"
bind = os.environ.get("NATTVANDRING_BIND", "127.0.0.1:8000")
# Two sync workers per core pair (docs/deployment.md, "Workers": measured on 2 cores, sync
# workers served the calendars up to twice as fast as gthread, at half the p95). Threads are
# opt-in: NATTVANDRING_WEB_THREADS above 1 switches to gthread workers.
workers = int(os.environ.get("NATTVANDRING_WEB_WORKERS", min(4, multiprocessing.cpu_count())))
threads = int(os.environ.get("NATTVANDRING_WEB_THREADS", "1"))
worker_class = os.environ.get("NATTVANDRING_WEB_WORKER_CLASS", "gthread" if threads > 1 else "sync")
timeout = 30
graceful_timeout = 20
keepalive = 5
# No restarts after a request count: with every worker taking its share of the requests,
# counts run in step and two workers restarted in the same second often enough (the service
# answered nothing for seconds). Nothing leaks that would need them; a deploy restarts all.
max_requests = 0
max_requests_jitter = 0
# No gunicorn access log: personal links carry tokens in the path. The app logs every
# request itself by its URL rule ("/me/<token>"), never the concrete path.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("NATTVANDRING_FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 27's control socket is one path per user (~/.gunicorn/gunicorn.ctl), so the two
# or more servers we run side by side would take it from each other; nothing here uses it.
control_socket_disable = True


def on_starting(server):  # type: ignore[no-untyped-def]
    """Refuse to serve an unmigrated database, with a message an administrator can act on."""
    from nattvandring.db import make_engine
    from nattvandring.migrate import is_current
    from nattvandring.settings import build_settings

    engine = make_engine(build_settings()["DATABASE_URL"])
    try:
        current = is_current(engine)
    finally:
        engine.dispose()
    if not current:
        server.log.error(
            "The database is not migrated to the latest version. Run: nattvandring db upgrade"
        )
        raise SystemExit(3)
