"""The command line: help, migrations, demo data, create-user."""

from __future__ import annotations

import logging

from click.testing import CliRunner
from sqlmodel import Session, func, select

from nattvandring import cli, clock
from nattvandring.accounts.models import Membership, Role, User
from nattvandring.associations.models import Association
from nattvandring.db import make_engine
from nattvandring.municipalities.models import Municipality
from tests.support.database import SECRET_KEY
from tests.support.demo import DEMO_AT


def _env(tmp_path):
    return {
        "NATTVANDRING_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "NATTVANDRING_SECRET_KEY": "cli-test-secret-that-is-long-enough",
    }


def test_help_documents_every_command():
    result = CliRunner().invoke(cli.main, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "worker", "db", "demo", "create-user"):
        assert command in result.output


def test_upgrade_then_demo_is_idempotent(tmp_path, demo_snapshot):
    # `nattvandring db upgrade` and `nattvandring demo` on an empty database of the run's
    # backend, run once for the whole test run (tests/support/demo.py): this is a copy of
    # what they made.
    first = demo_snapshot.copy(tmp_path)
    assert "samordnare.hassleholm@demo.nattvandring.se" in first.printed
    assert "nattvandring-demo" in first.printed
    runner = CliRunner()
    env = {"NATTVANDRING_DATABASE_URL": first.url, "NATTVANDRING_SECRET_KEY": SECRET_KEY}
    clock.freeze(DEMO_AT)  # the day the demo was loaded
    engine = make_engine(env["NATTVANDRING_DATABASE_URL"])

    def counts():
        with Session(engine) as session:
            return tuple(
                session.exec(select(func.count()).select_from(model)).one()
                for model in (Municipality, Association, User, Membership)
            )

    after_first = counts()
    assert after_first[:2] == (3, 10)
    again = runner.invoke(cli.main, ["demo", "--if-empty"], env=env)
    assert again.exit_code == 0
    assert "already present" in again.output
    assert "admin@demo.nattvandring.se" in again.output
    assert runner.invoke(cli.main, ["demo"], env=env).exit_code == 0
    assert counts() == after_first
    with Session(engine) as session:
        names = set(session.exec(select(Municipality.name)).all())
        coordinators = session.exec(
            select(func.count()).select_from(Membership).where(Membership.role == Role.COORDINATOR)
        ).one()
    assert names == {"Hässleholm", "Bjuv", "Hörby"}
    assert coordinators == 3
    engine.dispose()


def test_create_user_makes_an_admin(tmp_path):
    runner, env = CliRunner(), _env(tmp_path)
    runner.invoke(cli.main, ["db", "upgrade"], env=env)
    result = runner.invoke(
        cli.main,
        [
            "create-user",
            "--name",
            "Ada",
            "--email",
            "Ada@Example.org",
            "--password",
            "long-enough-pw",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    engine = make_engine(env["NATTVANDRING_DATABASE_URL"])
    with Session(engine) as session:
        ada = session.exec(select(User).where(User.email == "ada@example.org")).one()
        role = session.exec(select(Membership.role).where(Membership.user_id == ada.id)).one()
    assert ada.password_hash.startswith("$argon2id$")
    assert role == "admin"
    engine.dispose()


def test_create_user_refuses_a_short_password(tmp_path):
    runner, env = CliRunner(), _env(tmp_path)
    runner.invoke(cli.main, ["db", "upgrade"], env=env)
    result = runner.invoke(
        cli.main,
        ["create-user", "--name", "A", "--email", "a@b.se", "--password", "short"],
        env=env,
    )
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output


def test_serve_refuses_an_unmigrated_database(tmp_path):
    result = CliRunner().invoke(cli.main, ["serve", "--no-scheduler"], env=_env(tmp_path))
    assert result.exit_code != 0
    assert "nattvandring db upgrade" in result.output


def _request_line_logged(handler_class, caplog) -> str:
    handler = handler_class.__new__(handler_class)
    handler.client_address = ("127.0.0.1", 50000)
    handler.command, handler.path, handler.request_version = "GET", "/me/SECRET", "HTTP/1.1"
    handler.requestline = "GET /me/SECRET HTTP/1.1"
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        handler.log_request(200, 512)
    return caplog.text


def test_serve_keeps_secret_links_out_of_the_request_log(tmp_path, monkeypatch, caplog):
    from flask import Flask
    from werkzeug.serving import WSGIRequestHandler

    runner, env = CliRunner(), _env(tmp_path)
    assert runner.invoke(cli.main, ["db", "upgrade"], env=env).exit_code == 0
    options: dict = {}
    monkeypatch.setattr(Flask, "run", lambda self, **kwargs: options.update(kwargs))
    result = runner.invoke(cli.main, ["serve", "--no-scheduler"], env=env)
    assert result.exit_code == 0, result.output
    assert "SECRET" in _request_line_logged(WSGIRequestHandler, caplog)  # Werkzeug's own
    assert "SECRET" not in _request_line_logged(options["request_handler"], caplog)


def test_upgrade_names_each_migration_it_applied(tmp_path):
    from alembic.script import ScriptDirectory

    from nattvandring.migrate import alembic_config, head_revision

    runner, env = CliRunner(), _env(tmp_path)
    first = runner.invoke(cli.main, ["db", "upgrade"], env=env)
    assert first.exit_code == 0, first.output
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    every = list(script.walk_revisions())
    applied = [line for line in first.output.splitlines() if line.startswith("Applied: ")]
    assert len(applied) == len(every)
    assert applied[-1].startswith(f"Applied: {head_revision()} ")
    root = every[-1]
    assert applied[0] == f"Applied: {root.revision} {(root.doc or '').strip()}"
    assert "Database is up to date." not in first.output
    again = runner.invoke(cli.main, ["db", "upgrade"], env=env)
    assert again.exit_code == 0
    assert again.output.strip() == "Database is up to date."
