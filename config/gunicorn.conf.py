"""gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py`.

Every value can be overridden with the usual GUNICORN_CMD_ARGS or command-line flags.
The app is built by the factory in each worker; the scheduler is NOT started here: run
`nattvandring worker` as its own service (any number of them is safe).
"""

import multiprocessing
import os

wsgi_app = "nattvandring.app:create_app()"
bind = os.environ.get("NATTVANDRING_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("NATTVANDRING_WEB_WORKERS", min(4, multiprocessing.cpu_count() * 2)))
threads = int(os.environ.get("NATTVANDRING_WEB_THREADS", "4"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
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
