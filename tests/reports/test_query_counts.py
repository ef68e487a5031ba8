"""The report pages this issue changed run as many statements for little data as for much:
the coordinator's list with overdue reports and their reminders, and a report under review
with its approval warnings."""

from __future__ import annotations

from datetime import date, timedelta

from nattvandring import clock
from nattvandring.accounts.models import Role
from nattvandring.accounts.services import grant
from nattvandring.reports.services_remind import remind
from tests.factories import login, phone, user
from tests.support.queries import count_queries

from .conftest import at, file_report, make_walk


def _overdue_walks(db, world, first: int, last: int) -> None:
    """Walks of association A in September, never reported; every other one reminded."""
    for i in range(first, last):
        walk = make_walk(
            db,
            municipality_id=world.ids["hassleholm"],
            area_id=world.ids["area_h"],
            association_id=world.ids["assoc_a"],
            day=date(2026, 9, 1) + timedelta(days=i),
            walkers=(world.ids["vol_a"],),
        )
        if i % 2 == 0:
            remind(db, walk.booking, actor_id=world.ids["coord_h"])
    db.commit()


def _count(app, client, url: str) -> tuple[int, str]:
    assert client.get(url).status_code == 200  # warm-up
    with count_queries(app) as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count, response.get_data(as_text=True)


def test_report_list_with_reminders_is_constant(app, client, db, world):
    clock.freeze(at(2026, 11, 20))
    _overdue_walks(db, world, 0, 2)
    login(client, world.emails["coord_h"])
    small, small_html = _count(app, client, "/reports")
    _overdue_walks(db, world, 2, 12)
    large, large_html = _count(app, client, "/reports")
    assert large == small
    assert small_html.count("Påmind ") == 1 and large_html.count("Påmind ") == 6
    assert large_html.count(">Påminn<") == 6


def test_report_under_review_is_constant_in_its_walkers(app, client, db, world):
    clock.freeze(at(2026, 11, 20))
    ids = world.ids

    def report_with(count: int):
        walkers = []
        for n in range(count):
            person = user(db, f"Vandrare {count}-{n}", phone_e164=phone(), birth_year=2000 + n * 3)
            grant(db, person, Role.VOLUNTEER, association_id=ids["assoc_a"])
            walkers.append(person.id)
        walk = make_walk(
            db,
            municipality_id=ids["hassleholm"],
            area_id=ids["area_h"],
            association_id=ids["assoc_a"],
            day=date(2026, 10, 2) + timedelta(days=count),
            walkers=tuple(walkers),
        )
        report = file_report(db, walk, [(w, "22:00", "01:00") for w in walkers])
        db.commit()
        return report

    login(client, world.emails["coord_h"])
    few = report_with(2)
    many = report_with(8)
    small, small_html = _count(app, client, f"/reports/{few.id}")
    large, large_html = _count(app, client, f"/reports/{many.id}")
    assert large == small
    # The warnings were computed on both: too young walkers and early ends.
    assert small_html.count("mer än 60 minuter") == 2 and large_html.count("mer än 60 minuter") == 8
    assert "åldersgränsen är 18 år" in large_html
