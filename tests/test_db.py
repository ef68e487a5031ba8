"""Sessions and transactions (nattvandring/db.py): a reading session that turns to writing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from nattvandring.db import begin_writing, get_engine, new_session
from nattvandring.municipalities.models import Municipality
from tests.support.database import written_elsewhere_after_first_read


def _names(app) -> list[str]:
    with new_session(get_engine(app), write=False) as session:
        return list(session.exec(select(Municipality.name)).all())


def test_a_reader_writes_after_another_connection_wrote(app) -> None:
    with (
        written_elsewhere_after_first_read(app),
        new_session(get_engine(app), write=False) as session,
    ):
        assert session.exec(select(Municipality)).all() == []
        begin_writing(session)
        session.add(Municipality(name="Hässleholm", slug="hassleholm"))
        session.commit()
    assert _names(app) == ["Hässleholm"]


def test_a_writer_keeps_its_one_transaction(app) -> None:
    """Nothing is committed early: what a POST flushed still rolls back."""
    with new_session(get_engine(app), write=True) as session:
        session.add(Municipality(name="Hässleholm", slug="hassleholm"))
        session.flush()
        begin_writing(session)
        session.add(Municipality(name="Lund", slug="lund"))
        session.flush()
        session.rollback()
    assert _names(app) == []


def test_a_reader_with_unflushed_changes_is_refused_on_sqlite(app) -> None:
    """Ending the read transaction would commit them; PostgreSQL needs no new transaction."""
    with new_session(get_engine(app), write=False) as session:
        session.exec(select(Municipality)).all()
        session.add(Municipality(name="Hässleholm", slug="hassleholm"))
        if get_engine(app).dialect.name == "sqlite":
            with pytest.raises(RuntimeError):
                begin_writing(session)
        else:
            begin_writing(session)
            assert session.new
