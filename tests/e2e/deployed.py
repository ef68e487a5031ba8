"""The app as docs/deployment.md deploys it, for the HTTPS journeys.

Production settings (``NATTVANDRING_ENV=production``, a random secret key, secure cookies, an
``https://`` PUBLIC_BASE_URL), a certificate made for 127.0.0.1 at test time, gunicorn with
our config and two worker processes, and a ``nattvandring worker``. TLS ends either

- at nginx (Debian's package), whose site is ``config/nginx.conf.example`` with only the
  addresses and paths changed, in front of gunicorn with PROXY_FIX_HOPS=1; or
- at gunicorn itself (``--certfile``/``--keyfile``), with no proxy.

The database is this process's (a SQLite file, or its PostgreSQL test database), migrated with
``nattvandring db upgrade`` and loaded with ``nattvandring demo`` under the real clock:
production refuses the test clock, and the demo's nights follow today's date.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy.engine import Engine

from tests.support import processes
from tests.support.fake_twilio import FakeTwilio

from .served import cli, database, no_tracebacks

NGINX_EXAMPLE = processes.ROOT / "config" / "nginx.conf.example"
WEB_WORKERS = 2
TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "https-journeys-twilio-auth-token"


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path


@dataclass(frozen=True)
class DemoDatabase:
    url: str
    engine: Engine
    secret: str  # the SECRET_KEY every process of every deployment uses


@dataclass
class Deployed:
    tls: str  # "nginx" or "gunicorn": where TLS ends
    base_url: str  # https://127.0.0.1:<port>
    engine: Engine
    secret: str
    certificate: Certificate
    twilio: FakeTwilio  # every SMS the worker sent, as the phones got them

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def http(self) -> requests.Session:
        """A client that trusts only this deployment's certificate and no proxy."""
        session = requests.Session()
        session.trust_env = False
        session.verify = str(self.certificate.cert)
        return session


def find_nginx() -> str | None:
    """NATTVANDRING_E2E_NGINX, else Debian's /usr/sbin/nginx, else one on the PATH."""
    chosen = os.environ.get("NATTVANDRING_E2E_NGINX")
    if chosen:
        return chosen if Path(chosen).is_file() else None
    if Path("/usr/sbin/nginx").is_file():
        return "/usr/sbin/nginx"
    return shutil.which("nginx")


def self_signed_certificate(directory: Path) -> Certificate:
    """A P-256 certificate for 127.0.0.1, valid for two days, made with the openssl CLI."""
    found = Certificate(directory / "cert.pem", directory / "key.pem")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(found.key),
            "-out",
            str(found.cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return found


@contextmanager
def demo_database(workdir: Path) -> Iterator[DemoDatabase]:
    """The run's database, migrated and loaded with the demo as an administrator would."""
    secret = secrets.token_urlsafe(48)
    with database(workdir) as (url, engine):
        env = processes.app_environment(_settings(url, secret, "https://127.0.0.1"))
        cli(["db", "upgrade"], env)
        cli(["demo"], env)
        yield DemoDatabase(url, engine, secret)


def _settings(url: str, secret: str, public_base_url: str, **more: object) -> dict[str, object]:
    return {
        "ENV": "production",
        "SECRET_KEY": secret,
        "DATABASE_URL": url,
        "PUBLIC_BASE_URL": public_base_url,
        "SMS_BACKEND": "console",
        "MAIL_BACKEND": "console",
        # The worker sends within a second, and at any hour: the journey runs under the real
        # clock, and quiet hours (equal start and end turn them off) would hold the
        # confirmation SMS until morning on a night-time CI run.
        "DISPATCH_INTERVAL_SECONDS": 1,
        "OUTBOX_BATCH_SIZE": 500,
        "SMS_QUIET_HOURS_START": "00:00",
        "SMS_QUIET_HOURS_END": "00:00",
        **more,
    }


def _twilio(fake: FakeTwilio) -> dict[str, object]:
    """SMS through the real Twilio SDK to a local fake of its API, which keeps every message
    as the phone gets it (the worker puts the personal link in at send time)."""
    return {
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_FROM": "+46766861004",
        "TWILIO_API_BASE_URL": fake.base_url,
        "TWILIO_TIMEOUT_SECONDS": 5,
    }


def nginx_site(*, port: int, upstream: int, certificate: Certificate) -> str:
    """``config/nginx.conf.example`` on our addresses: only the listening address, the
    certificate, the static files and the upstream port change; no port-80 redirect."""
    site = NGINX_EXAMPLE.read_text(encoding="utf-8")
    site, redirects = re.subn(r"server \{\s*listen 80;.*?\n\}\n", "", site, flags=re.S)
    assert redirects == 1, "the example's port-80 server block has changed shape"
    for old, new in (
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;"),
        ("/etc/letsencrypt/live/nattvandring.example.se/fullchain.pem", str(certificate.cert)),
        ("/etc/letsencrypt/live/nattvandring.example.se/privkey.pem", str(certificate.key)),
        ("alias /opt/nattvandring/static/;", f"alias {processes.ROOT / 'static'}/;"),
        ("proxy_pass http://127.0.0.1:8000;", f"proxy_pass http://127.0.0.1:{upstream};"),
    ):
        assert site.count(old) == 1, f"{old!r} is no longer in {NGINX_EXAMPLE.name}"
        site = site.replace(old, new)
    return site


def nginx_conf(workdir: Path, site: str) -> Path:
    """A main nginx.conf in ``workdir`` around ``site``: logs to stderr, temp files, pid."""
    (workdir / "logs").mkdir(parents=True)  # nginx's prefix; nothing is logged there
    (workdir / "site.conf").write_text(site, encoding="utf-8")
    temp = workdir / "temp"
    temp.mkdir()
    # As root, nginx's workers would drop to "nobody", who cannot enter pytest's private
    # temporary directories (proxy buffers, certificate); a CI container runs tests as root.
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = workdir / "nginx.conf"
    conf.write_text(
        f"""{user}worker_processes 1;
daemon off;
pid {workdir / "nginx.pid"};
error_log stderr warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    include {workdir / "site.conf"};
}}
""",
        encoding="utf-8",
    )
    return conf


@contextmanager
def deploy(
    workdir: Path, demo: DemoDatabase, certificate: Certificate, *, tls: str, nginx: str | None
) -> Iterator[Deployed]:
    """Start the web servers and a worker on ``demo``'s database; stop them afterwards and
    fail if any of them logged an exception."""
    port = processes.free_port()
    base_url = f"https://127.0.0.1:{port}"
    gunicorn = [str(processes.BIN / "gunicorn"), "-c", "config/gunicorn.conf.py"]
    if tls == "nginx":
        assert nginx is not None
        upstream, proxies = processes.free_port(), 1
    elif tls == "gunicorn":
        upstream, proxies = port, 0
        gunicorn += ["--certfile", str(certificate.cert), "--keyfile", str(certificate.key)]
    else:
        raise ValueError(f"TLS ends at nginx or gunicorn, not {tls!r}")
    started: list[tuple[str, subprocess.Popen]] = []
    with ExitStack() as stack:
        twilio = stack.enter_context(FakeTwilio(account_sid=TWILIO_SID, auth_token=TWILIO_TOKEN))
        settings = _settings(demo.url, demo.secret, base_url, PROXY_FIX_HOPS=proxies)
        env = processes.app_environment(settings | _twilio(twilio))
        web_env = dict(
            env,
            NATTVANDRING_BIND=f"127.0.0.1:{upstream}",
            NATTVANDRING_WEB_WORKERS=str(WEB_WORKERS),
            NATTVANDRING_WEB_THREADS="4",
        )

        def stop_all() -> None:
            printed = [(name, processes.stop(process)) for name, process in reversed(started)]
            for name, text in printed:
                no_tracebacks(f"{tls}-{name}", text, workdir)

        stack.callback(stop_all)
        started.append(("gunicorn", processes.spawn(gunicorn, web_env)))
        worker = [str(processes.BIN / "nattvandring"), "worker"]
        started.append(("worker", processes.spawn(worker, env)))
        running = [process for _name, process in started]
        if tls == "nginx":
            # gunicorn first, so that nginx's log holds no "connection refused" while it boots.
            processes.wait_for_http(
                f"http://127.0.0.1:{upstream}/healthz", process=running, timeout=60
            )
            site = nginx_site(port=port, upstream=upstream, certificate=certificate)
            conf = nginx_conf(workdir / "nginx", site)
            command = [nginx, "-p", str(workdir / "nginx"), "-e", "stderr", "-c", str(conf)]
            started.append(("nginx", processes.spawn(command, env)))
            running.append(started[-1][1])
        processes.wait_for_http(
            f"{base_url}/healthz", process=running, timeout=60, verify=str(certificate.cert)
        )
        yield Deployed(tls, base_url, demo.engine, demo.secret, certificate, twilio)
