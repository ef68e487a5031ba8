"""Building the group in one step: the picker's reasons, adding several at once (all or
none), the quiet-hours note and the page's query count."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from nattvandring import clock
from nattvandring.accounts.models import User
from nattvandring.booking import candidates
from nattvandring.booking import services_booking as sb
from nattvandring.booking import services_roster as sr
from nattvandring.booking.models import Assignment
from nattvandring.db import get_engine, session_scope
from nattvandring.messaging.models import SmsMessage
from nattvandring.planning.models import Shift
from tests.factories import build_world, login
from tests.support.booking import FRIDAY_EVENING, NOW, volunteer
from tests.support.database import make_test_app
from tests.support.queries import count_queries
from tests.support.shifts import make_shift

# --- the rule, without a database -----------------------------------------------------------

EVENING = date(2026, 11, 6)


@pytest.mark.parametrize(
    ("birth_year", "busy", "opted_out", "code"),
    [
        (1980, False, False, None),
        (2008, False, False, None),  # turns 18 in 2026: old enough
        (2009, False, False, "too_young"),
        (None, False, False, "birth_year_missing"),
        (1980, True, False, "overlap"),
        (1980, False, True, "opted_out"),
        (2010, True, True, "too_young"),  # the age comes first
    ],
)
def test_refusal(ctx, birth_year, busy, opted_out, code):
    found = candidates.refusal(
        min_age=18, evening=EVENING, birth_year=birth_year, busy=busy, opted_out=opted_out
    )
    assert (found.code if found else None) == code


def test_no_age_rule_needs_no_birth_year(ctx):
    assert (
        candidates.refusal(min_age=0, evening=EVENING, birth_year=None, busy=False, opted_out=False)
        is None
    )


def test_too_young_says_the_age_and_the_minimum(ctx):
    found = candidates.refusal(
        min_age=20, evening=EVENING, birth_year=2010, busy=False, opted_out=False
    )
    assert found is not None and found.message == "För ung: fyller 16 i år, minst 20 krävs"


# --- the page -------------------------------------------------------------------------------


@pytest.fixture
def group(world, db, frozen):
    """Association A's booked Friday, and members who can and cannot walk it."""
    h = world.ids["hassleholm"]
    shift = make_shift(db, municipality_id=h, area_id=world.ids["area_h"], max_walkers=6)
    other = make_shift(
        db,
        municipality_id=h,
        area_id=world.ids["area_h"],
        start=FRIDAY_EVENING + timedelta(hours=1),
    )
    booking = sb.book_shift(
        db, association_id=world.ids["assoc_a"], shift_id=shift.id, actor_id=None, now=NOW
    )
    young = volunteer(db, world.ids["assoc_a"], "Unga Ung", birth_year=2010)
    busy = volunteer(db, world.ids["assoc_a"], "Upptagen Person")
    stop = volunteer(db, world.ids["assoc_a"], "Stoppad Person")
    stop.sms_opt_out = True
    other_booking = sb.book_shift(
        db, association_id=world.ids["assoc_b"], shift_id=other.id, actor_id=None, now=NOW
    )
    # Busy: walks association B's overlapping walk (a member of both).
    from nattvandring.accounts.models import Role
    from nattvandring.accounts.services import grant

    grant(db, busy, Role.VOLUNTEER, association_id=world.ids["assoc_b"])
    sr.add_to_roster(db, booking_id=other_booking.id, user_id=busy.id, actor_id=None, now=NOW)
    db.commit()
    return {
        "booking": booking.id,
        "url": f"/booking/bookings/{booking.id}/roster",
        "young": young.id,
        "busy": busy.id,
        "stop": stop.id,
    }


def _box(html: str, user_id: int) -> str:
    start = html.index(f'id="member-{user_id}"')
    return html[html.rindex("<li", 0, start) : html.index("</li>", start)]


def test_picker_offers_who_can_walk_and_says_why_the_others_cannot(client, world, group):
    login(client, world.emails["leader_a"])
    html = client.get(group["url"]).get_data(as_text=True)
    assert "Välj nattvandrare" in html and "Lägg till valda" in html
    free = _box(html, world.ids["vol_a"])
    assert "disabled" not in free and 'name="user_id"' in free and "Vol A (1980)" in free
    young = _box(html, group["young"])
    assert "disabled" in young and "För ung: fyller 16 i år, minst 18 krävs" in young
    assert f'aria-describedby="member-{group["young"]}-why"' in young
    assert "Upptagen: går ett annat pass samma kväll" in _box(html, group["busy"])
    assert "Har svarat STOPP på SMS" in _box(html, group["stop"])
    # Members of other associations are not offered at all.
    assert f'id="member-{world.ids["vol_b"]}"' not in html


def test_several_members_are_added_in_one_post(client, world, db, group):
    login(client, world.emails["leader_a"])
    response = client.post(
        group["url"], data={"user_id": [world.ids["vol_a"], world.ids["vol_a2"]]}
    )
    assert response.status_code == 302
    page = client.get(group["url"]).get_data(as_text=True)
    assert "2 nattvandrare är tillagda i gruppen." in page
    db.expire_all()
    added = db.exec(select(Assignment.user_id).where(Assignment.booking_id == group["booking"]))
    assert sorted(added) == sorted([world.ids["vol_a"], world.ids["vol_a2"]])
    # One confirmation SMS each, written with the change.
    to = db.exec(select(SmsMessage.user_id).where(SmsMessage.kind == "confirmation")).all()
    assert sorted(to) == sorted([group["busy"], world.ids["vol_a"], world.ids["vol_a2"]])


def test_a_selection_with_someone_who_cannot_walk_adds_nobody_and_names_them(
    client, world, db, group
):
    login(client, world.emails["leader_a"])
    chosen = [world.ids["vol_a"], group["young"], group["stop"]]
    response = client.post(group["url"], data={"user_id": chosen})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = html[
        html.index('id="user_id-error"') : html.index("</span>", html.index('id="user_id-error"'))
    ]
    assert "Ingen lades till, eftersom 2 av de valda inte kan gå" in error
    assert "Unga Ung: Nattvandrare måste fylla minst 18 år" in error
    assert "Stoppad Person: Stoppad Person har svarat STOPP" in error
    assert "Vol A" not in error
    # The valid choice stays ticked, to send again without the others.
    assert "checked" in _box(html, world.ids["vol_a"])
    db.expire_all()
    assert db.exec(select(Assignment).where(Assignment.booking_id == group["booking"])).all() == []
    to = db.exec(select(SmsMessage.user_id).where(SmsMessage.kind == "confirmation")).all()
    assert to == [group["busy"]]


def test_another_associations_member_is_refused_without_their_name(client, world, db, group):
    login(client, world.emails["leader_a"])
    response = client.post(group["url"], data={"user_id": [world.ids["vol_a"], world.ids["vol_b"]]})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "en person som inte är medlem: Personen är inte medlem i föreningen." in html
    assert "Vol B" not in html
    db.expire_all()
    assert db.exec(select(Assignment).where(Assignment.booking_id == group["booking"])).all() == []


def test_more_than_the_places_left_adds_nobody(client, world, db, group):
    db.get(Shift, db.get(sr.Booking, group["booking"]).shift_id).max_walkers = 1
    db.commit()
    login(client, world.emails["leader_a"])
    response = client.post(
        group["url"], data={"user_id": [world.ids["vol_a"], world.ids["vol_a2"]]}
    )
    assert response.status_code == 422
    assert "Vol A2: Passet är fullt (högst 1 nattvandrare)." in response.get_data(as_text=True)
    db.expire_all()
    assert db.exec(select(Assignment).where(Assignment.booking_id == group["booking"])).all() == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Välj minst en medlem."),
        ({"user_id": ["abc"]}, "Välj medlemmar ur listan."),
        ({"user_id": ["0"]}, "Välj medlemmar ur listan."),
        ({"user_id": ["2147483648"]}, "Välj medlemmar ur listan."),
    ],
)
def test_an_empty_or_malformed_selection_is_refused_at_the_list(
    client, world, db, group, data, message
):
    login(client, world.emails["leader_a"])
    response = client.post(group["url"], data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="user_id-error"' in html and message in html


def test_adding_in_quiet_hours_says_when_the_sms_go_out(client, world, db, group):
    # Monday 2 November 2026, 22:45 in Stockholm (21:45 UTC): quiet hours until 08:00.
    clock.freeze(datetime(2026, 11, 2, 21, 45, tzinfo=UTC))
    login(client, world.emails["leader_a"])
    page = client.get(group["url"]).get_data(as_text=True)
    assert "Det är natt nu. SMS:en skickas i morgon kl 08:00" in page
    response = client.post(group["url"], data={"user_id": [world.ids["vol_a"]]})
    assert response.status_code == 302
    page = client.get(group["url"]).get_data(as_text=True)
    assert "SMS:en skickas i morgon kl 08:00: inga SMS går ut på natten." in page
    db.expire_all()
    due = db.exec(
        select(SmsMessage.due_at).where(
            SmsMessage.kind == "confirmation", SmsMessage.user_id == world.ids["vol_a"]
        )
    ).one()
    assert due == datetime(2026, 11, 3, 7, 0, tzinfo=UTC)


def test_adding_in_the_day_says_nothing_about_waiting(client, world, group):
    login(client, world.emails["leader_a"])
    client.post(group["url"], data={"user_id": [world.ids["vol_a"]]})
    page = client.get(group["url"]).get_data(as_text=True)
    assert "Nattvandraren är tillagd i gruppen." in page and "inga SMS går ut" not in page


# --- queries ----------------------------------------------------------------------------------


def _roster_queries(tmp_path, members: int) -> int:
    app = make_test_app(tmp_path / str(members))
    with app.app_context(), session_scope(get_engine(app)) as db:
        world = build_world(db)
        h = world.ids["hassleholm"]
        shift = make_shift(db, municipality_id=h, area_id=world.ids["area_h"], max_walkers=100)
        booking = sb.book_shift(
            db, association_id=world.ids["assoc_a"], shift_id=shift.id, actor_id=None, now=NOW
        )
        for n in range(members):
            person = volunteer(db, world.ids["assoc_a"], f"Medlem {n:03}", birth_year=1950 + n % 50)
            person.sms_opt_out = n % 7 == 0
            if n % 3 == 0:  # every third walks another, overlapping walk of the association
                other = make_shift(
                    db,
                    municipality_id=h,
                    area_id=world.ids["area_h"],
                    start=FRIDAY_EVENING + timedelta(minutes=30 + n),
                )
                ob = sb.book_shift(
                    db,
                    association_id=world.ids["assoc_a"],
                    shift_id=other.id,
                    actor_id=None,
                    now=NOW,
                )
                sr.add_to_roster(db, booking_id=ob.id, user_id=person.id, actor_id=None, now=NOW)
            elif n % 3 == 1:
                sr.add_to_roster(
                    db, booking_id=booking.id, user_id=person.id, actor_id=None, now=NOW
                )
        booking_id = booking.id
        email = world.emails["leader_a"]
    client = app.test_client()
    login(client, email)
    url = f"/booking/bookings/{booking_id}/roster"
    client.get(url)
    with count_queries(app) as counter:
        response = client.get(url)
    assert response.status_code == 200 and "Välj nattvandrare" in response.get_data(as_text=True)
    get_engine(app).dispose()
    return len(counter.executed)


def test_group_page_queries_do_not_grow_with_the_members(tmp_path, frozen):
    assert _roster_queries(tmp_path, 6) == _roster_queries(tmp_path, 90)


def test_unknown_user_has_no_name_leak_via_candidates(db, world, group, ctx):
    """Candidates list only the association's volunteers, never other people."""
    shift = db.exec(
        select(Shift).where(Shift.id == db.get(sr.Booking, group["booking"]).shift_id)
    ).one()
    found = candidates.candidates(
        db, association_id=world.ids["assoc_a"], shift=shift, booking_id=group["booking"]
    )
    names = {c.name for c in found}
    assert "Vol B" not in names and db.get(User, world.ids["vol_b"]) is not None


def test_booking_at_night_says_the_groups_sms_wait_for_the_morning(client, world, db, frozen):
    shift = make_shift(db, municipality_id=world.ids["hassleholm"], area_id=world.ids["area_h"])
    db.commit()
    clock.freeze(datetime(2026, 11, 2, 21, 45, tzinfo=UTC))  # Monday 22:45 in Stockholm
    login(client, world.emails["leader_a"])
    booked = client.post(
        f"/booking/{world.ids['assoc_a']}/shifts/{shift.id}/book", follow_redirects=True
    )
    html = booked.get_data(as_text=True)
    assert "Passet är bokat." in html
    assert "Det är natt nu. SMS:en skickas i morgon kl 08:00: inga SMS går ut på natten." in html
