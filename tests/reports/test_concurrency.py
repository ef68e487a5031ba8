"""A walk's first report visits at one moment: one draft, and every visitor gets it.

Real HTTP on a threaded server, each request with its own connection, as in production:
on SQLite the write lock (``db.begin_writing``) queues the visits, on PostgreSQL the row
locks of ``start_report``; either way the later visits find the first one's draft.
"""

from __future__ import annotations

from collections import Counter

import pytest
import requests
from sqlmodel import select

from nattvandring import tokens
from nattvandring.accounts.models import TokenPurpose
from nattvandring.db import get_engine, session_scope
from nattvandring.reports.models import PatrolReport
from tests import factories
from tests.reports.conftest import make_walk_a
from tests.support.http import fire, served_app

pytestmark = pytest.mark.slow

VISITS = 12


@pytest.fixture
def served(tmp_path):
    with served_app(tmp_path) as found:
        yield found


def test_simultaneous_first_visits_start_one_draft(served) -> None:
    app, base = served
    with app.app_context(), session_scope(get_engine(app)) as session:
        world = factories.build_world(session)
        walk = make_walk_a(session, world)
        walkers = (world.ids["vol_a"], world.ids["vol_a2"])
        links = [
            tokens.issue(session, TokenPurpose.PERSONAL_PAGE, user_id=user_id)
            for user_id in walkers
        ]
        booking_id, shift_id = walk.booking.id, walk.shift.id

    def visit(link: str):
        http = requests.Session()
        http.trust_env = False
        return http.get(f"{base}/me/{link}/reports/{shift_id}", timeout=60)

    calls = [lambda link=links[n % 2]: visit(link) for n in range(VISITS)]
    assert Counter(fire(calls)) == Counter({200: VISITS})
    with session_scope(get_engine(app)) as session:
        reports = session.exec(
            select(PatrolReport).where(PatrolReport.booking_id == booking_id)
        ).all()
    assert len(reports) == 1
