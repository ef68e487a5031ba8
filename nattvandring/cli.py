"""The ``nattvandring`` command line. Every command builds its own app."""

from __future__ import annotations

import logging
import sys

import click

from .settings import SettingsError


def _app():
    from .app import create_app

    try:
        return create_app()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def quiet_request_handler():
    """The development server's request handler without its access line.

    Werkzeug logs each request line with the full path, so personal, feed, reset and
    invitation links would land in the log; the app's own access log names the URL rule.
    """
    from werkzeug.serving import WSGIRequestHandler

    class QuietRequestHandler(WSGIRequestHandler):
        def log_request(self, code="-", size="-") -> None:
            return None

    return QuietRequestHandler


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Nattvandring: booking, SMS, calendars, reports and payouts for night patrols."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--scheduler/--no-scheduler",
    default=True,
    show_default=True,
    help="Run the SMS/e-mail dispatch scheduler in this process (the embedded default).",
)
def serve(host: str, port: int, scheduler: bool) -> None:
    """Run the development server (production uses gunicorn and a separate worker)."""
    from .db import get_engine
    from .migrate import is_current

    app = _app()
    if not is_current(get_engine(app)):
        raise click.ClickException(
            "The database is not migrated to the latest version. Run: nattvandring db upgrade"
        )
    if scheduler:
        from .scheduler import start_background

        start_background(app)
    click.echo(f"Nattvandring is running on http://{host}:{port}/")
    # No reloader: it would fork a second process and run the scheduler twice.
    app.run(
        host=host,
        port=port,
        debug=False,
        use_reloader=False,
        threaded=True,
        request_handler=quiet_request_handler(),
    )


@main.command()
def worker() -> None:
    """Run the scheduler that dispatches SMS and e-mail and runs periodic jobs (production)."""
    from .scheduler import run_blocking

    run_blocking(_app())


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION."""
    from .db import get_engine
    from .migrate import upgrade

    app = _app()
    applied = upgrade(get_engine(app), revision)
    for rev, message in applied:
        click.echo(f"Applied: {rev} {message}")
    if not applied:
        click.echo("Database is up to date.")
    else:
        click.echo(f"{len(applied)} migration(s) applied.")


@db.command("current")
def db_current() -> None:
    """Show the database's migration revision and the latest one."""
    from .db import get_engine
    from .migrate import current_revision, head_revision

    engine = get_engine(_app())
    click.echo(f"database: {current_revision(engine)}  latest: {head_revision()}")


@main.command()
@click.option("--scale", default=0, type=int, help="Add N generated municipalities for load tests.")
@click.option("--if-empty", is_flag=True, help="Only load when the database has no municipality.")
def demo(scale: int, if_empty: bool) -> None:
    """Load realistic demo data (idempotent) and print the demo logins."""
    from .db import get_engine, session_scope
    from .demo import DEMO_PASSWORD, load_demo
    from .demo.loader import demo_logins

    app = _app()
    # Loading logs every queued SMS and report; keep the output to what the user needs.
    logging.getLogger("nattvandring").setLevel(logging.WARNING)
    with app.app_context(), session_scope(get_engine(app)) as session:
        logins = load_demo(session, if_empty=if_empty, scale=scale)
    if logins is None:
        click.echo("Demo data already present; nothing loaded.")
        logins = demo_logins()
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for role, email in logins:
        click.echo(f"  {role:<24} {email}")


@main.command()
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Destination file (default: var/backups/nattvandring-<UTC time>.sqlite3).",
)
def backup(output: str | None) -> None:
    """Copy the SQLite database online (PostgreSQL: use pg_dump, see docs/deployment.md)."""
    from pathlib import Path

    from .clock import utcnow
    from .db import get_engine
    from .ops.services import backup_sqlite
    from .settings import ROOT

    engine = get_engine(_app())
    if engine.dialect.name != "sqlite":
        raise click.ClickException(
            "This installation uses PostgreSQL: back it up with pg_dump -Fc (docs/deployment.md)."
        )
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    target = Path(output) if output else ROOT / "var" / "backups" / f"nattvandring-{stamp}.sqlite3"
    click.echo(f"Backup written to {backup_sqlite(engine, target)}")


@main.command("create-user")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option(
    "--role",
    type=click.Choice(["admin", "coordinator", "sponsor_liaison"]),
    default="admin",
    show_default=True,
)
@click.option("--municipality", default=None, help="Municipality name (coordinators).")
@click.password_option(help="Password (prompted when left out).")
def create_user(name: str, email: str, role: str, municipality: str | None, password: str) -> None:
    """Create a staff user with a password."""
    from sqlmodel import select

    from .accounts.models import Role, User
    from .accounts.services import find_by_email, grant, normalize_email, set_password
    from .db import get_engine, session_scope
    from .municipalities.models import Municipality
    from .passwords import MIN_LENGTH

    if len(password) < MIN_LENGTH:
        raise click.ClickException(f"The password needs at least {MIN_LENGTH} characters.")
    app = _app()
    with app.app_context(), session_scope(get_engine(app)) as session:
        user = find_by_email(session, email) or User(name=name, email=normalize_email(email))
        set_password(user, password)
        session.add(user)
        session.flush()
        municipality_id = None
        if role == "coordinator":
            found = session.exec(
                select(Municipality).where(Municipality.name == municipality)
            ).first()
            if found is None:
                raise click.ClickException(
                    "Coordinators need --municipality with an existing name."
                )
            municipality_id = found.id
        grant(session, user, Role(role), municipality_id=municipality_id)
    click.echo(f"User {email} has the role {role}.")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
