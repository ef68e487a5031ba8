"""A booking round on a phone: the leader ranks two nights, the coordinator draws, and the
leader's page shows the seed, the order and the picks (every page gets the 390 px checks)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlmodel import select

from nattvandring.associations.models import Association
from nattvandring.clock import STOCKHOLM, local_to_utc
from nattvandring.db import session_scope
from nattvandring.municipalities.models import Municipality
from nattvandring.planning.models import PatrolArea, Shift
from nattvandring.rounds import services as rounds
from nattvandring.rounds.models import BookingRound, RoundPick

from .story import ASSOCIATION, COORDINATOR, LEADER, MUNICIPALITY, log_in

OPENED = datetime(2026, 8, 3, 10, 0, tzinfo=STOCKHOLM)
NIGHTS = (date(2026, 9, 4), date(2026, 9, 5))


def _open_round(served) -> tuple[int, int, list[int]]:
    with session_scope(served.engine) as session:
        municipality = session.exec(
            select(Municipality).where(Municipality.name == MUNICIPALITY)
        ).one()
        association = session.exec(select(Association).where(Association.name == ASSOCIATION)).one()
        area = PatrolArea(municipality_id=municipality.id, name="Lottningens torg")
        session.add(area)
        session.flush()
        shifts = [
            Shift(
                municipality_id=municipality.id,
                area_id=area.id,
                start_at=local_to_utc(day, time(21)),
                end_at=local_to_utc(day + timedelta(days=1), time(1)),
            )
            for day in NIGHTS
        ]
        session.add_all(shifts)
        session.flush()
        found = rounds.open_round(
            session,
            municipality=municipality,
            data=rounds.RoundInput(
                name="Septemberhelgen",
                first_day=NIGHTS[0],
                last_day=NIGHTS[-1],
                deadline=OPENED + timedelta(days=1),
            ),
            actor_id=None,
            now=OPENED,
        )
        return found.id, association.id, [s.id for s in shifts]


def test_a_leader_ranks_nights_on_a_phone_and_sees_the_draw(people, served):
    served.at(OPENED)
    round_id, association_id, shift_ids = _open_round(served)
    leader = people.phone()
    log_in(leader, served, LEADER)
    page = leader.page
    leader.open(served.url(f"/booking/{association_id}/rounds/{round_id}"))
    assert page.get_by_text("Rangordna de kvällar ni vill ha").is_visible()
    leader.choose(page.locator(f"#rank-{shift_ids[1]}"), "1")
    leader.choose(page.locator(f"#rank-{shift_ids[0]}"), "2")
    leader.follow(page.get_by_role("button", name="Spara önskemålen"))
    assert page.get_by_text("Era önskemål är sparade.").is_visible()
    assert page.locator(f"#rank-{shift_ids[1]}").input_value() == "1"

    with served.hold_worker():  # its sweep would draw the due round before the coordinator
        served.at(OPENED + timedelta(days=1, minutes=5))
        coordinator = people.desktop()
        log_in(coordinator, served, COORDINATOR)
        coordinator.open(served.url(f"/rounds/{round_id}"))
        coordinator.follow(coordinator.page.get_by_role("button", name="Lotta nu"))
        assert coordinator.page.get_by_text("Omgången är lottad.").is_visible()

    leader.open(served.url(f"/booking/{association_id}/rounds/{round_id}"))
    with session_scope(served.engine, write=False) as session:
        found = session.get(BookingRound, round_id)
        picks = session.exec(select(RoundPick).where(RoundPick.round_id == round_id)).all()
        assert found is not None and found.status == "drawn"
        seed = found.seed
    # Only this association wished: it gets its first choice, then (no maximum) the other.
    assert [p.shift_id for p in picks if p.association_id == association_id] == [
        shift_ids[1],
        shift_ids[0],
    ]
    assert page.get_by_text(seed).is_visible()
    assert page.get_by_role("heading", name="Resultat").is_visible()
