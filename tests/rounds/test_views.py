"""Booking round pages: the coordinator opens and draws, leaders rank nights on their page,
the result shows the seed, the order and each pick, in Swedish and in English."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from nattvandring import clock
from nattvandring.rounds.models import BookingRound, RoundWish
from tests import factories
from tests.support.booking import FRIDAY_EVENING, NOW
from tests.support.shifts import make_shift


def _open(client, world, db):
    shifts = [
        make_shift(
            db,
            municipality_id=world.ids["hassleholm"],
            area_id=world.ids["area_h"],
            start=FRIDAY_EVENING + timedelta(days=7 * n),
        )
        for n in range(2)
    ]
    db.commit()
    factories.login(client, world.emails["coord_h"])
    url = f"/planning/{world.ids['hassleholm']}/rounds"
    data = {
        "name": "Novembers fredagar",
        "first_day": "2026-11-01",
        "last_day": "2026-11-30",
        "deadline_day": "2026-11-03",
        "deadline_time": "12:00",
        "max_nights": "1",
    }
    refused = client.post(url, data={**data, "max_nights": "0"})
    assert refused.status_code == 422
    assert "Högsta antal kvällar per förening måste vara mellan 1 och 100" in refused.text
    created = client.post(url, data=data)
    assert created.status_code == 302
    client.post("/logout")
    found = db.exec(select(BookingRound)).one()
    return found, shifts


def test_a_round_from_opening_to_the_published_result(client, world, db):
    clock.freeze(NOW)
    found, shifts = _open(client, world, db)
    page = client.get(f"/rounds/{found.id}")
    assert page.status_code == 302  # logged out
    factories.login(client, world.emails["leader_a"])
    wishes_url = f"/booking/{world.ids['assoc_a']}/rounds/{found.id}"
    page = client.get(wishes_url).text
    assert "Rangordna de kvällar ni vill ha" in page and f'name="rank-{shifts[1].id}"' in page
    same_rank = client.post(
        wishes_url, data={f"rank-{shifts[0].id}": "1", f"rank-{shifts[1].id}": "1"}
    )
    assert same_rank.status_code == 422 and "Ge varje kväll en egen plats" in same_rank.text
    saved = client.post(wishes_url, data={f"rank-{shifts[1].id}": "1", f"rank-{shifts[0].id}": "2"})
    assert saved.status_code == 302
    db.rollback()
    assert [w.shift_id for w in db.exec(select(RoundWish).order_by(RoundWish.rank))] == [
        shifts[1].id,
        shifts[0].id,
    ]
    # The round's nights are not for the fastest click.
    shift_page = client.get(f"/booking/{world.ids['assoc_a']}/shifts/{shifts[1].id}").text
    assert "Till bokningsomgången" in shift_page and "Boka passet för" not in shift_page
    booked = client.post(f"/booking/{world.ids['assoc_a']}/shifts/{shifts[1].id}/book")
    assert booked.status_code == 422 and "ingår i bokningsomgången" in booked.text
    # Another municipality's leader does not see the round.
    client.post("/logout")
    factories.login(client, world.emails["leader_c"])
    assert client.get(f"/booking/{world.ids['assoc_c']}/rounds/{found.id}").status_code == 404
    assert client.get(f"/rounds/{found.id}").status_code == 404
    client.post("/logout")
    # The coordinator draws after the deadline; a leader may not.
    factories.login(client, world.emails["leader_b"])
    assert client.post(f"/rounds/{found.id}/draw").status_code == 403
    client.post("/logout")
    factories.login(client, world.emails["coord_h"])
    early = client.post(f"/rounds/{found.id}/draw", follow_redirects=True)
    assert "kan lottas först efter sista dag att önska" in early.text
    clock.freeze(NOW + timedelta(days=2))
    drawn = client.post(f"/rounds/{found.id}/draw", follow_redirects=True)
    assert "Omgången är lottad." in drawn.text
    db.rollback()
    found = db.get(BookingRound, found.id)
    assert found.seed in drawn.text and "IFK Hässleholm" in drawn.text
    # The wishes the draw ran on are published with it, so anyone can run it again.
    wishes = drawn.text[drawn.text.index("Önskemål</h3>") :]
    assert "IFK Hässleholm" in wishes
    assert wishes.index("fre 13 nov. 2026 21:00") < wishes.index("fre 6 nov. 2026 21:00")


def test_the_result_page_in_english(app, client, world):
    """No ``db`` fixture here: its open app context would keep the first request's locale."""
    from nattvandring.accounts.models import User
    from nattvandring.db import get_engine, session_scope
    from nattvandring.municipalities.models import Municipality
    from nattvandring.rounds import services as rs

    with app.app_context(), session_scope(get_engine(app)) as session:
        shift = make_shift(
            session, municipality_id=world.ids["hassleholm"], area_id=world.ids["area_h"]
        )
        found = rs.open_round(
            session,
            municipality=session.get(Municipality, world.ids["hassleholm"]),
            data=rs.RoundInput(
                name="Valborg",
                first_day=shift.start_at.date(),
                last_day=shift.start_at.date(),
                deadline=NOW + timedelta(hours=1),
            ),
            actor_id=None,
            now=NOW,
        )
        from nattvandring.associations.models import Association

        rs.set_wishes(
            session,
            found=found,
            association=session.get(Association, world.ids["assoc_a"]),
            ranked=[shift.id],
            actor_id=None,
            now=NOW,
        )
        rs.draw_round(session, round_id=found.id, actor_id=None, now=NOW + timedelta(hours=2))
        session.get(User, world.ids["leader_a"]).language = "en"
        round_id, seed = found.id, found.seed
    factories.login(client, world.emails["leader_a"])
    english = client.get(f"/booking/{world.ids['assoc_a']}/rounds/{round_id}").text
    assert 'lang="en"' in english
    assert "Seed" in english and seed in english and "Picks" in english
    assert "Wishes</h3>" in english and "anyone can follow the draw pick by pick" in english
    assert "IFK Hässleholm" in english and "Your wishes" in english


def test_the_coordinator_chooses_nights_and_the_calendar_shows_them_in_the_round(client, world, db):
    clock.freeze(NOW)
    shifts = [
        make_shift(
            db,
            municipality_id=world.ids["hassleholm"],
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
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        start=FRIDAY_EVENING + timedelta(days=60),
    )
    db.commit()
    factories.login(client, world.emails["coord_h"])
    url = f"/planning/{world.ids['hassleholm']}/rounds"
    data = {
        "name": "Valda fredagar",
        "first_day": "2026-11-01",
        "last_day": "2026-11-30",
        "deadline_day": "2026-11-03",
        "deadline_time": "12:00",
    }
    step = client.post(url, data={**data, "step": "choose"})
    assert step.status_code == 200
    for shift in shifts:
        assert f'name="shift" value="{shift.id}" id="shift-{shift.id}" checked' in step.text
    assert f'value="{elsewhere.id}"' not in step.text and f'value="{outside.id}"' not in step.text
    assert db.exec(select(BookingRound)).all() == []
    for wrong in (elsewhere.id, outside.id, "x"):
        refused = client.post(url, data={**data, "choose": "1", "shift": [shifts[0].id, wrong]})
        assert refused.status_code == 422
        assert "Välj bland de lediga passen i perioden" in refused.text
    none_ticked = client.post(url, data={**data, "choose": "1"})
    assert none_ticked.status_code == 422 and "Välj minst en kväll." in none_ticked.text
    db.rollback()
    assert db.exec(select(BookingRound)).all() == []
    created = client.post(url, data={**data, "choose": "1", "shift": [shifts[0].id, shifts[2].id]})
    assert created.status_code == 302
    db.rollback()
    found = db.exec(select(BookingRound)).one()
    client.post("/logout")
    factories.login(client, world.emails["leader_a"])
    page = client.get(f"/booking/{world.ids['assoc_a']}/calendar").text
    wishes_url = f"/booking/{world.ids['assoc_a']}/rounds/{found.id}"
    assert page.count(f'href="{wishes_url}"') == 2
    assert page.count("I bokningsrunda: Valda fredagar") == 2
    assert page.count(">Ledigt<") == 1  # the night left out is booked the ordinary way
    month = client.get(f"/booking/{world.ids['assoc_a']}/calendar?view=month&month=2026-11").text
    assert month.count("I bokningsrunda: Valda fredagar") == 2
