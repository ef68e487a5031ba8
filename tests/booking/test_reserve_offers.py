"""Reserve offers hold: only the offered association may book during its window, then the
next in line; leaders hear of the offer and of its end by SMS and e-mail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from nattvandring.accounts.models import Role
from nattvandring.accounts.services import grant
from nattvandring.booking import services_booking as sb
from nattvandring.booking import services_reserve as sr
from nattvandring.booking.models import ReserveEntry
from nattvandring.booking.offers import check_offer_allows, offer_expiry
from nattvandring.errors import RuleViolation
from nattvandring.mail.models import EmailMessage
from nattvandring.messaging.models import SmsMessage
from nattvandring.municipalities.models import Municipality
from tests import factories
from tests.support.booking import FRIDAY_EVENING, NOW
from tests.support.shifts import make_shift

# --- the window as a pure rule ----------------------------------------------------------


def test_a_full_window_when_the_night_is_far():
    offered = datetime(2026, 11, 2, 9, tzinfo=UTC)
    start = offered + timedelta(days=5)
    assert offer_expiry(offered_at=offered, shift_start=start, window_hours=24) == offered + (
        timedelta(hours=24)
    )


def test_the_window_is_shortened_close_to_the_night():
    offered = datetime(2026, 11, 6, 8, tzinfo=UTC)
    start = offered + timedelta(hours=12)
    assert offer_expiry(offered_at=offered, shift_start=start, window_hours=24) == offered + (
        timedelta(hours=6)
    )


@given(
    left=st.integers(min_value=1, max_value=60 * 24 * 30),
    hours=st.integers(min_value=1, max_value=168),
)
def test_an_offer_always_ends_before_the_night_and_within_its_window(left, hours):
    offered = datetime(2026, 11, 2, 9, tzinfo=UTC)
    start = offered + timedelta(minutes=left)
    ends = offer_expiry(offered_at=offered, shift_start=start, window_hours=hours)
    assert offered < ends < start
    assert ends <= offered + timedelta(hours=hours)


def test_only_the_offered_association_may_book_until_its_offer_ends(app):
    expires = NOW + timedelta(hours=24)
    with app.test_request_context():
        check_offer_allows(now=NOW, association_id=1, offers=[])
        check_offer_allows(now=NOW, association_id=2, offers=[(2, expires)])
        with pytest.raises(RuleViolation) as other:
            check_offer_allows(now=NOW, association_id=3, offers=[(2, expires)])
        assert other.value.code == "offered_to_other"
        with pytest.raises(RuleViolation) as late:
            check_offer_allows(now=expires, association_id=2, offers=[(2, expires)])
        assert late.value.code == "offer_expired"
        # Still nobody else's just after the window: the sweep passes it on first.
        with pytest.raises(RuleViolation):
            check_offer_allows(
                now=expires + timedelta(seconds=1), association_id=3, offers=[(2, expires)]
            )


# --- through the services ---------------------------------------------------------------


@pytest.fixture
def line(world, db):
    """A08 books the night; A09 then A11 join its reserve list; A10 never does."""
    municipality = db.get(Municipality, world.ids["hassleholm"])
    ids = {
        name: factories.association(db, municipality, name).id
        for name in ("A08", "A09", "A10", "A11")
    }
    emails = {}
    for name, association_id in ids.items():
        emails[name] = f"leader_{name.lower()}@example.org"
        person = factories.user(db, name, email=emails[name], phone_e164=factories.phone())
        grant(db, person, Role.LEADER, association_id=association_id)
    shift = make_shift(db, municipality_id=world.ids["hassleholm"], area_id=world.ids["area_h"])
    booking = sb.book_shift(
        db, association_id=ids["A08"], shift_id=shift.id, actor_id=None, now=NOW
    )
    for minutes, name in ((1, "A09"), (2, "A11")):
        sr.join_reserve(
            db,
            association_id=ids[name],
            shift_id=shift.id,
            actor_id=None,
            now=NOW + timedelta(minutes=minutes),
        )
    db.commit()
    return ids, emails, shift, booking


def _book(db, ids, shift, name, at):
    return sb.book_shift(db, association_id=ids[name], shift_id=shift.id, actor_id=None, now=at)


def _refused(db, ids, shift, name, at) -> str:
    with pytest.raises(RuleViolation) as refused:
        _book(db, ids, shift, name, at)
    db.rollback()
    return refused.value.code


def _entry(db, ids, shift, name) -> ReserveEntry:
    return db.exec(
        select(ReserveEntry)
        .where(ReserveEntry.shift_id == shift.id, ReserveEntry.association_id == ids[name])
        .execution_options(populate_existing=True)
    ).one()


def test_an_offer_is_refused_to_others_and_taken_by_the_offered(app, db, line):
    ids, _emails, shift, booking = line
    cancelled = NOW + timedelta(hours=1)
    sb.cancel_booking(db, booking_id=booking.id, actor_id=None, as_coordinator=False, now=cancelled)
    db.commit()
    offer = _entry(db, ids, shift, "A09")
    assert offer.status == "offered"
    assert offer.offer_expires_at == cancelled + timedelta(hours=24)
    # A10 was never on the list, A11 is behind A09, A08 just let it go: all refused.
    for name in ("A10", "A11", "A08"):
        assert (
            _refused(db, ids, shift, name, cancelled + timedelta(minutes=5)) == "offered_to_other"
        )
    _book(db, ids, shift, "A09", cancelled + timedelta(hours=23, minutes=59))
    db.commit()
    assert _entry(db, ids, shift, "A09").status == "accepted"
    assert _entry(db, ids, shift, "A11").status == "waiting"


def test_an_unanswered_offer_expires_and_passes_to_the_next_in_line(app, db, line):
    ids, emails, shift, booking = line
    cancelled = NOW + timedelta(hours=1)
    sb.cancel_booking(db, booking_id=booking.id, actor_id=None, as_coordinator=False, now=cancelled)
    db.commit()
    ends = cancelled + timedelta(hours=24)
    assert sr.pass_on_expired_offers(db, now=ends - timedelta(seconds=1)) == 0
    # Past its window A09 cannot book either; the sweep has not passed it on yet.
    assert _refused(db, ids, shift, "A09", ends) == "offer_expired"
    assert sr.pass_on_expired_offers(db, now=ends) == 1
    db.commit()
    assert _entry(db, ids, shift, "A09").status == "expired"
    nxt = _entry(db, ids, shift, "A11")
    assert nxt.status == "offered" and nxt.offered_at == ends
    assert nxt.offer_expires_at == ends + timedelta(hours=24)
    assert _refused(db, ids, shift, "A10", ends + timedelta(minutes=1)) == "offered_to_other"
    assert _refused(db, ids, shift, "A09", ends + timedelta(minutes=1)) == "offered_to_other"
    # A11 lets it lapse too: nobody is left in line, so anyone may book.
    assert sr.pass_on_expired_offers(db, now=ends + timedelta(hours=24)) == 1
    db.commit()
    _book(db, ids, shift, "A10", ends + timedelta(hours=24, minutes=1))
    db.commit()
    # Each leader heard of its offer and of its end, by SMS and by e-mail.
    sms = db.exec(select(SmsMessage.kind, SmsMessage.association_id)).all()
    assert sorted(k for k, a in sms if a == ids["A09"]) == ["reserve_expired", "reserve_offered"]
    assert sorted(k for k, a in sms if a == ids["A11"]) == ["reserve_expired", "reserve_offered"]
    offered_text = next(
        body
        for body, kind, a in db.exec(
            select(SmsMessage.body, SmsMessage.kind, SmsMessage.association_id)
        )
        if kind == "reserve_offered" and a == ids["A09"]
    )
    assert "ensamma till 2026-11-03 11:00" in offered_text  # 10:00 UTC = 11:00 local
    mails = db.exec(select(EmailMessage.to_address, EmailMessage.subject)).all()
    to_a09 = [subject for to, subject in mails if to == emails["A09"]]
    assert len(to_a09) == 2
    assert any(s.startswith("Ett pass från reservlistan erbjuds er") for s in to_a09)
    assert any(s.startswith("Erbjudandet gick ut") for s in to_a09)


def test_a_late_offer_gets_a_shorter_window(app, world, db, line):
    ids, _emails, shift, booking = line
    cancelled = FRIDAY_EVENING - timedelta(hours=10)
    sb.cancel_booking(
        db, booking_id=booking.id, actor_id=None, as_coordinator=True, reason="Sjuk", now=cancelled
    )
    db.commit()
    assert _entry(db, ids, shift, "A09").offer_expires_at == cancelled + timedelta(hours=5)


def test_the_window_is_the_municipalitys(app, world, db, line):
    """The coordinator sets the window ("Timmar som ett erbjudande ... gäller"): 6 hours."""
    ids, _emails, shift, booking = line
    db.get(Municipality, world.ids["hassleholm"]).reserve_offer_hours = 6
    cancelled = NOW + timedelta(hours=1)
    sb.cancel_booking(db, booking_id=booking.id, actor_id=None, as_coordinator=False, now=cancelled)
    db.commit()
    assert _entry(db, ids, shift, "A09").offer_expires_at == cancelled + timedelta(hours=6)
    assert sr.pass_on_expired_offers(db, now=cancelled + timedelta(hours=6)) == 1
    db.commit()
    assert _entry(db, ids, shift, "A11").status == "offered"


def test_others_can_join_the_list_of_an_offered_shift(app, db, line):
    ids, _emails, shift, booking = line
    sb.cancel_booking(
        db, booking_id=booking.id, actor_id=None, as_coordinator=False, now=NOW + timedelta(hours=1)
    )
    entry = sr.join_reserve(
        db,
        association_id=ids["A10"],
        shift_id=shift.id,
        actor_id=None,
        now=NOW + timedelta(hours=2),
    )
    assert entry.status == "waiting"


def test_the_pages_show_the_offer_and_refuse_others(app, client, db, line, frozen):
    ids, emails, shift, booking = line
    sb.cancel_booking(db, booking_id=booking.id, actor_id=None, as_coordinator=False, now=NOW)
    db.commit()
    factories.login(client, emails["A10"])
    page = client.get(f"/booking/{ids['A10']}/shifts/{shift.id}").get_data(as_text=True)
    assert "Passet erbjuds just nu en förening från reservlistan" in page
    assert "Boka passet för" not in page
    calendar = client.get(f"/booking/{ids['A10']}/calendar").get_data(as_text=True)
    assert "Erbjudet från reservlistan" in calendar
    refused = client.post(f"/booking/{ids['A10']}/shifts/{shift.id}/book")
    assert refused.status_code == 422
    assert "Passet erbjuds just nu en förening från reservlistan" in refused.get_data(as_text=True)
    client.post("/logout")
    factories.login(client, emails["A09"])
    own = client.get(f"/booking/{ids['A09']}/shifts/{shift.id}").get_data(as_text=True)
    assert "erbjuds er från reservlistan. Bara ni kan boka det till" in own
    assert client.post(f"/booking/{ids['A09']}/shifts/{shift.id}/book").status_code == 302


def test_the_worker_job_passes_expired_offers_on(app, db, line):
    from nattvandring import clock
    from nattvandring.booking.tasks import sweep_reserve_offers

    ids, _emails, shift, booking = line
    sb.cancel_booking(db, booking_id=booking.id, actor_id=None, as_coordinator=False, now=NOW)
    db.commit()
    clock.freeze(NOW + timedelta(hours=24))
    assert sweep_reserve_offers(app) == 1
    db.rollback()
    assert _entry(db, ids, shift, "A09").status == "expired"
    assert _entry(db, ids, shift, "A11").status == "offered"
