"""Every page measured by the benchmarks runs a constant number of SQL statements.

One app and one world; the counts are taken at 5 shifts (with bookings, walkers and
approved walks for the sponsor), then the same data is grown to 60 and every page must
issue exactly as many statements as before. Each page is requested once before counting,
so first-use lookups (session user, caches) do not count.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from nattvandring import clock, stable_links
from nattvandring.accounts.models import TokenPurpose
from nattvandring.booking.models import Assignment, Booking
from nattvandring.municipalities.models import Municipality
from nattvandring.planning.models import Shift
from nattvandring.web.caching import cache
from tests.factories import login
from tests.sponsorship.conftest import agreement, walk
from tests.support.queries import count_queries

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday morning


def grow(db, world, first: int, last: int) -> None:
    """Shifts first..last-1, 50 minutes apart from 04:00 UTC today on (past and upcoming walks).

    Four of five are booked, alternately by A (walkers vol_a and vol_a2) and B (vol_b);
    every shift also has an approved walk in the sponsor's figures.
    """
    ids = world.ids
    start = NOW - timedelta(hours=5)
    for i in range(first, last):
        begin = start + timedelta(minutes=50 * i)
        shift = Shift(
            municipality_id=ids["hassleholm"],
            area_id=ids["area_h"],
            start_at=begin,
            end_at=begin + timedelta(hours=4),
            updated_at=NOW,
        )
        db.add(shift)
        db.flush()
        if i % 5 != 4:
            key, walkers = (
                ("assoc_a", ("vol_a", "vol_a2")) if i % 2 == 0 else ("assoc_b", ("vol_b",))
            )
            shift.status = "booked"
            booking = Booking(shift_id=shift.id, association_id=ids[key])
            db.add(booking)
            db.flush()
            db.add_all(
                Assignment(shift_id=shift.id, booking_id=booking.id, user_id=ids[who])
                for who in walkers
            )
        walk(
            db,
            association_id=ids["assoc_a"],
            municipality_id=ids["hassleholm"],
            area_id=ids["area_h"],
            evening=date(2026, 1 + i % 10, 1 + i % 28),
            birth_years=[1980, 1990, 2000],
            recorded_at=NOW,
        )
    db.commit()


def pages(app, db, world) -> dict[str, tuple[str, str, dict[str, str]]]:
    """Name -> (who, URL, headers); who is a staff key or "" for token links."""
    secret = app.config["SECRET_KEY"]
    vol_a = world.ids["vol_a"]
    feed = stable_links.stable_link(
        db, TokenPurpose.PERSONAL_FEED, secret_key=secret, user_id=vol_a
    )
    page = stable_links.stable_link(
        db, TokenPurpose.PERSONAL_PAGE, secret_key=secret, user_id=vol_a
    )
    slug = db.get(Municipality, world.ids["hassleholm"]).slug
    db.commit()
    mid, aid = world.ids["hassleholm"], world.ids["assoc_a"]
    return {
        "coordinator month": ("coord_h", f"/planning/{mid}/calendar?view=month&month=2026-11", {}),
        "coordinator list": ("coord_h", f"/planning/{mid}/calendar?month=2026-11", {}),
        "coordinator coverage": ("coord_h", f"/planning/{mid}/coverage", {}),
        "leader calendar": ("leader_a", f"/booking/{aid}/calendar?month=2026-11", {}),
        "leader list": ("leader_a", f"/booking/{aid}/calendar?view=list&month=2026-11", {}),
        "personal page": ("", f"/me/{page}", {}),
        "personal feed": ("", f"/feeds/personal/{feed}.ics", {}),
        "public feed": ("", f"/feeds/kommun/{slug}.ics", {}),
        "public page": ("", f"/kommun/{slug}", {}),
        "home page": ("", "/", {}),
        "open data week": ("", "/api/v1/municipalities", {}),
        "open data nights": ("", f"/api/v1/municipalities/{slug}/nights", {}),
        "widget": ("", f"/kommun/{slug}/widget", {}),
        "sponsor dashboard": ("liaison", "/sponsorship/?start=2026-01-01&end=2026-12-31", {}),
    }


def measure(app, clients, targets) -> tuple[dict[str, int], dict[str, str]]:
    counts, bodies = {}, {}
    for name, (who, url, headers) in targets.items():
        client = clients[who]
        assert client.get(url, headers=headers).status_code == 200, name  # warm-up
        app.extensions.pop("calendar_body_cache", None)  # feeds: measure the render
        with app.app_context():
            cache.clear()  # cached page fragments (web/page_cache.py): measure the render
        with count_queries(app) as counter:
            response = client.get(url, headers=headers)
        assert response.status_code == 200, name
        counts[name] = len(counter.executed)
        bodies[name] = response.get_data(as_text=True)
    return counts, bodies


def test_constant_queries_at_5_and_60_shifts(app, db, world):
    clock.freeze(NOW)
    agreement(db, world, valid_from=date(2026, 1, 1))
    grow(db, world, 0, 5)
    targets = pages(app, db, world)
    clients = {"": app.test_client()}
    for who in ("coord_h", "leader_a", "liaison"):
        clients[who] = app.test_client()
        login(clients[who], world.emails[who])

    small, small_bodies = measure(app, clients, targets)
    grow(db, world, 5, 60)
    large, large_bodies = measure(app, clients, targets)

    assert large == small
    # The larger data really was on the pages: every shift of vol_a (booked by A: i % 10
    # in 0, 2, 6, 8) in the personal feed; all 60 shifts in the public feed.
    assert small_bodies["personal feed"].count("BEGIN:VEVENT") == 2
    assert large_bodies["personal feed"].count("BEGIN:VEVENT") == 24
    assert large_bodies["public feed"].count("BEGIN:VEVENT") > small_bodies["public feed"].count(
        "BEGIN:VEVENT"
    )
    for name in targets:
        assert len(large_bodies[name]) > len(small_bodies[name]) or name.startswith(
            "coordinator coverage"
        ), name
    assert max(large.values()) <= 15, large
