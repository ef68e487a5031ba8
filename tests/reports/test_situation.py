"""Lägesbild figures for a constructed month, the page and the exports."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from nattvandring.reports import situation
from tests.factories import login

from .conftest import march_world


def test_constructed_month_every_number(db, world) -> None:
    built = march_world(db, world)
    report = situation.build(
        db,
        municipality_ids={world.ids["hassleholm"]},
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        area_id=None,
    )
    t = report.total
    # Walk 3 is only submitted, walk 4 is in April, walk 5 is in Bjuv: none counts.
    assert (t.walks, t.walkers, t.minutes, t.young_people, t.places) == (2, 4, 900, 55, 3)
    assert t.hours == Decimal("15.00")
    assert dict(t.incidents) == {"alcohol": 2, "violence": 1, "threat": 1}
    assert t.incident_total == 4
    assert report.places_by_status == {"reported": 2, "forwarded": 1, "fixed": 0}
    assert [(m, f.walks, f.walkers, f.young_people) for m, f in report.months] == [
        (date(2026, 3, 1), 2, 4, 55)
    ]
    areas = [
        (a.name, f.walks, f.walkers, f.minutes, f.young_people, f.incident_total, f.places)
        for a, f in report.areas
    ]
    assert areas == [("Centrum", 1, 2, 420, 20, 3, 1), ("Resecentrum", 1, 2, 480, 35, 1, 2)]

    only_station = situation.build(
        db,
        municipality_ids={world.ids["hassleholm"]},
        start=date(2026, 3, 1),
        end=date(2026, 4, 30),
        area_id=built["station"].id,
    )
    assert (only_station.total.walks, only_station.total.young_people) == (1, 35)
    spring = situation.build(
        db,
        municipality_ids={world.ids["hassleholm"]},
        start=date(2026, 3, 1),
        end=date(2026, 4, 30),
        area_id=None,
    )
    assert [(m.month, f.walks, f.minutes, f.incident_total) for m, f in spring.months] == [
        (3, 2, 900, 4),
        (4, 1, 180, 1),
    ]


def test_page_and_exports(app, client, db, world) -> None:
    march_world(db, world)
    db.commit()
    login(client, world.emails["coord_h"])
    page = client.get("/lagesbild?from=2026-03-01&to=2026-03-31")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<span class="figure" id="fig-walks">2</span>' in html
    assert '<span class="figure" id="fig-walkers">4</span>' in html
    assert '<span class="figure" id="fig-hours">15 h</span>' in html
    assert '<span class="figure" id="fig-young">55</span>' in html
    assert '<span class="figure" id="fig-incidents">4</span>' in html
    assert '<td class="num" data-label="Antal" id="inc-alcohol">2</td>' in html
    assert '<strong id="places-forwarded">1</strong>' in html
    # The chart is drawn on the server: no script in the page's content (only the header's menu).
    assert "<svg" in html and "<script" not in html.split('<main id="main"')[1]
    assert "Trasig lampa" in html

    response = client.get("/lagesbild.csv?from=2026-03-01&to=2026-03-31")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:7] == [
        "Område",
        "Månad",
        "Vandringar",
        "Vandrare",
        "Timmar",
        "Unga mötta",
        "Incidenter",
    ]
    assert rows[1] == [
        "Centrum",
        "2026-03",
        "1",
        "2",
        "7,00",
        "20",
        "3",
        "1",
        "2",
        "0",
        "0",
        "0",
        "0",
        "1",
    ]
    assert rows[2] == [
        "Resecentrum",
        "2026-03",
        "1",
        "2",
        "8,00",
        "35",
        "1",
        "0",
        "0",
        "0",
        "0",
        "1",
        "0",
        "2",
    ]
    assert rows[3] == [
        "Totalt",
        "",
        "2",
        "4",
        "15,00",
        "55",
        "4",
        "1",
        "2",
        "0",
        "0",
        "1",
        "0",
        "3",
    ]

    xlsx = client.get("/lagesbild.xlsx?from=2026-03-01&to=2026-03-31")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.get_data()), read_only=True).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[3][:6] == ["Totalt", None, 2, 4, 15, 55]


def test_lagesbild_other_roles(client, db, world) -> None:
    march_world(db, world)
    db.commit()
    login(client, world.emails["leader_a"])
    assert client.get("/lagesbild").status_code == 403
    assert client.get("/lagesbild.csv").status_code == 403
    client.post("/logout")
    login(client, world.emails["coord_b"])
    html = client.get("/lagesbild?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    assert '<span class="figure" id="fig-walks">1</span>' in html  # only Bjuv's walk
    assert '<span class="figure" id="fig-young">7</span>' in html


def test_place_status_follow_up(client, db, world) -> None:
    from sqlmodel import select

    from nattvandring.reports.models import UnsafePlace

    march_world(db, world)
    db.commit()
    place = db.exec(select(UnsafePlace).where(UnsafePlace.status == "forwarded")).one()
    db.commit()
    login(client, world.emails["coord_b"])
    assert (
        client.post(f"/unsafe-places/{place.id}/status", data={"status": "fixed"}).status_code
        == 404
    )
    client.post("/logout")
    login(client, world.emails["leader_a"])
    assert (
        client.post(f"/unsafe-places/{place.id}/status", data={"status": "fixed"}).status_code
        == 404
    )
    client.post("/logout")
    login(client, world.emails["coord_h"])
    response = client.post(f"/unsafe-places/{place.id}/status", data={"status": "fixed"})
    assert response.status_code == 302
    db.commit()
    db.expire_all()
    fixed = db.get(UnsafePlace, place.id)
    assert fixed.status == "fixed" and fixed.fixed_at is not None and fixed.forwarded_at is not None
    client.post(f"/unsafe-places/{place.id}/status", data={"status": "reported"})
    db.commit()
    db.expire_all()
    assert db.get(UnsafePlace, place.id).status == "fixed"  # never backwards
    # The page to return to must be on this site (a tab would make "/\t/x" into "//x").
    back = client.post(
        f"/unsafe-places/{place.id}/status",
        data={"status": "fixed", "next": "/\t/evil.example"},
    )
    assert back.headers["Location"] == "/lagesbild"


def test_a_long_period_ending_on_a_leap_day_is_cut_to_three_years(client, db, world) -> None:
    # Cutting 2024-02-29 back three years by replacing the year was a 500 (2021-02-29).
    login(client, world.emails["coord_h"])
    for path in ("/lagesbild", "/lagesbild.csv", "/lagesbild.xlsx", "/lagesbild.pdf", "/hours"):
        response = client.get(f"{path}?from=2000-01-01&to=2024-02-29")
        assert response.status_code == 200, (path, response.status_code)
    page = client.get("/lagesbild?from=2000-01-01&to=2024-02-29").get_data(as_text=True)
    assert "2021-02-28" in page or "28 februari 2021" in page
