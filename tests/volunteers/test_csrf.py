"""With CSRF on (as in production) the personal page's forms carry a working token."""

from __future__ import annotations

import re

from nattvandring import clock
from nattvandring.accounts.models import User
from nattvandring.booking import services_booking as sb
from nattvandring.booking import services_roster as sr
from nattvandring.booking.models import Assignment
from nattvandring.db import get_engine, session_scope
from nattvandring.volunteers import services
from tests.factories import build_world
from tests.support.booking import NOW
from tests.support.shifts import make_shift


def _walk_with_link(csrf_app) -> tuple[str, int]:
    """vol_a on a booked walk, at NOW: their personal link's token and the assignment."""
    clock.freeze(NOW)
    with csrf_app.app_context(), session_scope(get_engine(csrf_app)) as db:
        world = build_world(db)
        shift = make_shift(db, municipality_id=world.ids["hassleholm"], area_id=world.ids["area_h"])
        booking = sb.book_shift(
            db, association_id=world.ids["assoc_a"], shift_id=shift.id, actor_id=None, now=NOW
        )
        assignment_id = sr.add_to_roster(
            db, booking_id=booking.id, user_id=world.ids["vol_a"], actor_id=None, now=NOW
        ).id
        token = services.personal_token(
            db, db.get(User, world.ids["vol_a"]), csrf_app.config["SECRET_KEY"]
        )
    return token, assignment_id


def test_personal_page_forms_need_and_carry_the_token(csrf_app):
    token, assignment_id = _walk_with_link(csrf_app)
    client = csrf_app.test_client()
    html = client.get(f"/me/{token}").get_data(as_text=True)
    csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    url = f"/me/{token}/assignments/{assignment_id}/confirm"
    assert client.post(url).status_code == 400
    assert client.post(url, data={"csrf_token": csrf_token}).status_code == 302
    with session_scope(get_engine(csrf_app)) as db:
        assert db.get(Assignment, assignment_id).status == "confirmed"


def test_a_cached_personal_page_carries_the_viewers_own_token_in_its_forms(csrf_app):
    """The page's forms come from the cache (volunteers/personal_page.py): each viewer's
    form must carry their own CSRF token, never the one of the session that filled it."""
    token, assignment_id = _walk_with_link(csrf_app)
    url = f"/me/{token}/assignments/{assignment_id}/confirm"
    form = re.compile(
        rf'<form method="post" action="{re.escape(url)}">\s*'
        r'<input type="hidden" name="csrf_token" value="([^"]+)"'
    )
    first, second = csrf_app.test_client(), csrf_app.test_client()
    filled = form.search(first.get(f"/me/{token}").get_data(as_text=True)).group(1)
    served = form.search(second.get(f"/me/{token}").get_data(as_text=True)).group(1)
    assert served != filled  # the second viewer's own session, not the first's
    assert second.post(url, data={"csrf_token": filled}).status_code == 400
    assert second.post(url, data={"csrf_token": served}).status_code == 302
    with session_scope(get_engine(csrf_app)) as db:
        assert db.get(Assignment, assignment_id).status == "confirmed"
