"""Booking rounds through the services: open, wish, draw once, reserve lists, notices."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from nattvandring.accounts.models import Role
from nattvandring.accounts.services import grant
from nattvandring.booking import services_booking as sb
from nattvandring.booking.models import Booking, ReserveEntry
from nattvandring.errors import RuleViolation
from nattvandring.mail.models import EmailMessage
from nattvandring.messaging.models import SmsMessage
from nattvandring.municipalities.models import Municipality
from nattvandring.rounds import services as rs
from nattvandring.rounds.draw import draw, seed_commitment
from nattvandring.rounds.models import BookingRound, RoundPick
from tests import factories
from tests.support.booking import FRIDAY_EVENING, NOW
from tests.support.shifts import make_shift

DEADLINE = NOW + timedelta(days=1)


@pytest.fixture
def season(world, db):
    """Three Friday nights, three associations with a leader each (phone and e-mail)."""
    municipality = db.get(Municipality, world.ids["hassleholm"])
    shifts = [
        make_shift(
            db,
            municipality_id=municipality.id,
            area_id=world.ids["area_h"],
            start=FRIDAY_EVENING + timedelta(days=7 * n),
        )
        for n in range(3)
    ]
    associations = []
    for n in range(3):
        association = factories.association(db, municipality, f"Lottförening {n}")
        person = factories.user(
            db, f"Lottledare {n}", email=f"lott{n}@example.org", phone_e164=factories.phone()
        )
        grant(db, person, Role.LEADER, association_id=association.id)
        associations.append(association)
    found = rs.open_round(
        db,
        municipality=municipality,
        data=rs.RoundInput(
            name="Hösten",
            first_day=date(2026, 11, 1),
            last_day=date(2026, 11, 30),
            deadline=DEADLINE,
            max_nights_per_association=2,
        ),
        actor_id=world.ids["coord_h"],
        now=NOW,
    )
    db.commit()
    return found, shifts, associations


def test_a_round_publishes_the_seed_hash_and_holds_its_nights(world, db, season, ctx):
    found, shifts, associations = season
    assert found.seed_sha256 == seed_commitment(found.seed) and found.seed not in found.seed_sha256
    assert [s.id for s, _area in rs.round_shifts(db, found)] == [s.id for s in shifts]
    with pytest.raises(RuleViolation) as refused:
        sb.book_shift(
            db, association_id=associations[0].id, shift_id=shifts[0].id, actor_id=None, now=NOW
        )
    assert refused.value.code == "in_booking_round"


def test_wishes_until_the_deadline_then_one_draw(world, db, season, ctx):
    found, shifts, associations = season
    ids = [s.id for s in shifts]
    for association in associations:
        rs.set_wishes(db, found=found, association=association, ranked=ids, actor_id=None, now=NOW)
    with pytest.raises(RuleViolation) as late:
        rs.set_wishes(
            db, found=found, association=associations[0], ranked=ids, actor_id=None, now=DEADLINE
        )
    assert late.value.code == "round_closed"
    with pytest.raises(RuleViolation) as early:
        rs.draw_round(db, round_id=found.id, actor_id=None, now=DEADLINE - timedelta(seconds=1))
    assert early.value.code == "before_deadline"
    drawn = rs.draw_round(db, round_id=found.id, actor_id=None, now=DEADLINE)
    db.commit()
    # The stored result is the pure draw of the seed and the wishes.
    expected = draw(
        seed=found.seed,
        wishes={a.id: ids for a in associations},
        capacity=dict.fromkeys(ids, 1),
        max_per_association=2,
    )
    picks = db.exec(select(RoundPick).order_by(RoundPick.number)).all()
    assert [(p.association_id, p.shift_id) for p in picks] == [
        (p.association_id, p.shift_id) for p in expected.picks
    ]
    assert drawn.drawn_order == ",".join(str(a) for a in expected.order)
    bookings = db.exec(select(Booking).where(Booking.status == "active")).all()
    assert sorted((b.association_id, b.shift_id) for b in bookings) == sorted(
        (p.association_id, p.shift_id) for p in picks
    )
    # Drawing again changes nothing.
    rs.draw_round(db, round_id=found.id, actor_id=None, now=DEADLINE + timedelta(hours=1))
    db.commit()
    assert len(db.exec(select(RoundPick)).all()) == len(picks) == 3
    # Unmet wishes are on the reserve lists in draw order.
    first_night = db.exec(
        select(ReserveEntry.association_id)
        .where(ReserveEntry.shift_id == ids[0])
        .order_by(ReserveEntry.created_at)
    ).all()
    winner = next(p.association_id for p in picks if p.shift_id == ids[0])
    assert first_night == [a for a in expected.order if a != winner]
    # Every leader heard the result.
    kinds = db.exec(select(SmsMessage.kind, SmsMessage.association_id)).all()
    assert sorted(a for k, a in kinds if k == "round_result") == sorted(a.id for a in associations)
    mails = db.exec(select(EmailMessage.kind)).all()
    assert mails.count("round_result") == 3


def test_leftover_nights_open_for_ordinary_booking(world, db, season, ctx):
    found, shifts, associations = season
    rs.set_wishes(
        db, found=found, association=associations[0], ranked=[shifts[0].id], actor_id=None, now=NOW
    )
    rs.draw_round(db, round_id=found.id, actor_id=None, now=DEADLINE)
    booking = sb.book_shift(
        db, association_id=associations[1].id, shift_id=shifts[2].id, actor_id=None, now=DEADLINE
    )
    assert booking.status == "active"
    assert db.get(BookingRound, found.id).status == "drawn"


def test_wishes_must_be_nights_of_the_round(world, db, season, ctx):
    found, _shifts, associations = season
    other = make_shift(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        start=FRIDAY_EVENING + timedelta(days=70),
    )
    with pytest.raises(RuleViolation) as refused:
        rs.set_wishes(
            db, found=found, association=associations[0], ranked=[other.id], actor_id=None, now=NOW
        )
    assert refused.value.code == "not_in_round"


def test_concurrent_draws_give_one_result(app, world, db, season):
    """Four workers draw the same round at once, each in its own transaction."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from nattvandring.db import get_engine, session_scope

    found, shifts, associations = season
    for association in associations:
        rs.set_wishes(
            db,
            found=found,
            association=association,
            ranked=[s.id for s in shifts],
            actor_id=None,
            now=NOW,
        )
    db.commit()
    barrier = threading.Barrier(4)

    def draw_once(_n: int) -> str:
        barrier.wait(timeout=30)
        with app.app_context(), session_scope(get_engine(app)) as session:
            return rs.draw_round(session, round_id=found.id, actor_id=None, now=DEADLINE).status

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(draw_once, range(4))) == ["drawn"] * 4
    db.rollback()
    assert len(db.exec(select(RoundPick)).all()) == 3
    assert len(db.exec(select(Booking).where(Booking.status == "active")).all()) == 3
    assert len(db.exec(select(SmsMessage).where(SmsMessage.kind == "round_result")).all()) == 3


def test_the_draw_gives_a_shared_night_no_more_groups_than_fit(world, db, ctx):
    """Two associations per pass, but at most 5 walkers with groups of at least 3: one group."""
    municipality = db.get(Municipality, world.ids["hassleholm"])
    municipality.max_associations_per_shift = 2
    shift = make_shift(
        db,
        municipality_id=municipality.id,
        area_id=world.ids["area_h"],
        min_walkers=3,
        max_walkers=5,
    )
    found = rs.open_round(
        db,
        municipality=municipality,
        data=rs.RoundInput(
            name="Delad",
            first_day=date(2026, 11, 1),
            last_day=date(2026, 11, 30),
            deadline=DEADLINE,
        ),
        actor_id=None,
        now=NOW,
    )
    for key in ("assoc_a", "assoc_b"):
        rs.set_wishes(
            db,
            found=found,
            association=db.get(factories.Association, world.ids[key]),
            ranked=[shift.id],
            actor_id=None,
            now=NOW,
        )
    rs.draw_round(db, round_id=found.id, actor_id=None, now=DEADLINE)
    assert len(db.exec(select(Booking).where(Booking.status == "active")).all()) == 1
    assert len(db.exec(select(ReserveEntry).where(ReserveEntry.status == "waiting")).all()) == 1


def test_the_worker_job_draws_due_rounds_once(app, world, db, season):
    from nattvandring import clock
    from nattvandring.rounds.tasks import draw_due_rounds

    found, shifts, associations = season
    rs.set_wishes(
        db, found=found, association=associations[0], ranked=[shifts[0].id], actor_id=None, now=NOW
    )
    db.commit()
    clock.freeze(DEADLINE - timedelta(minutes=1))
    assert draw_due_rounds(app) == 0
    clock.freeze(DEADLINE)
    assert draw_due_rounds(app) == 1
    assert draw_due_rounds(app) == 0
    db.rollback()
    db.expire_all()
    assert db.get(BookingRound, found.id).status == "drawn"
    assert len(db.exec(select(RoundPick)).all()) == 1


def test_a_round_of_chosen_nights_takes_only_those(world, db, ctx):
    municipality = db.get(Municipality, world.ids["hassleholm"])
    shifts = [
        make_shift(
            db,
            municipality_id=municipality.id,
            area_id=world.ids["area_h"],
            start=FRIDAY_EVENING + timedelta(days=7 * n),
        )
        for n in range(3)
    ]
    elsewhere = make_shift(
        db, municipality_id=world.ids["bjuv"], area_id=world.ids["area_b"], start=FRIDAY_EVENING
    )
    outside = make_shift(
        db,
        municipality_id=municipality.id,
        area_id=world.ids["area_h"],
        start=FRIDAY_EVENING + timedelta(days=60),
    )

    def data(chosen):
        return rs.RoundInput(
            name="Valda kvällar",
            first_day=date(2026, 11, 1),
            last_day=date(2026, 11, 30),
            deadline=DEADLINE,
            shift_ids=chosen,
        )

    for wrong in ([elsewhere.id], [shifts[0].id, outside.id], [0], []):
        with pytest.raises(RuleViolation) as refused:
            rs.open_round(db, municipality=municipality, data=data(wrong), actor_id=None, now=NOW)
        assert refused.value.code in ("night_not_free", "no_nights_chosen")
    assert db.exec(select(BookingRound)).all() == []
    found = rs.open_round(
        db,
        municipality=municipality,
        data=data([shifts[2].id, shifts[0].id]),
        actor_id=None,
        now=NOW,
    )
    assert [s.id for s, _area in rs.round_shifts(db, found)] == [shifts[0].id, shifts[2].id]
    # The night left out is booked the ordinary way; a chosen night is not free any more.
    sb.book_shift(
        db, association_id=world.ids["assoc_a"], shift_id=shifts[1].id, actor_id=None, now=NOW
    )
    with pytest.raises(RuleViolation) as taken:
        rs.open_round(
            db, municipality=municipality, data=data([shifts[0].id]), actor_id=None, now=NOW
        )
    assert taken.value.code == "night_not_free"
