"""Alembic, driven from our own settings (no alembic.ini to keep in sync)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from .settings import ROOT

MIGRATIONS_DIR = ROOT / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> list[tuple[str, str]]:
    """Apply migrations up to ``revision``; the ``(revision, message)`` of each one applied,
    oldest first (empty when the database was already there)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with _migrating(engine) as connection:
        before = MigrationContext.configure(connection).get_current_revision()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        after = MigrationContext.configure(connection).get_current_revision()
    if after == before or after is None:
        return []
    script = ScriptDirectory.from_config(config)
    applied = list(script.iterate_revisions(after, before))  # newest first
    return [(rev.revision, (rev.doc or "").strip()) for rev in reversed(applied)]


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision``, in one transaction like ``upgrade``."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with _migrating(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """One transaction for the whole upgrade.

    On SQLite, Alembic's batch mode alters a table by copying it and dropping the original,
    which foreign keys referencing it forbid. So, as SQLite's documentation prescribes for
    schema changes, foreign keys are off during the upgrade (the pragma only takes effect
    outside a transaction) and ``foreign_key_check`` must find nothing before the commit.
    """
    with engine.connect() as connection:
        raw = connection.connection.driver_connection if engine.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
                if raw is not None:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_current(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def autogenerate(engine: Engine, message: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
