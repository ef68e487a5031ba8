"""Report times typed on a phone: the number pad's "2200", the decimal pad's "22,00" and a
whole hour "23" file the same report as "22:00"; what is not a time says why, by the field."""

from __future__ import annotations

from sqlmodel import select

from nattvandring.reports.models import PatrolReport, ReportWalker
from tests.factories import login
from tests.reports.test_views import _form, _report


def test_times_from_a_number_pad_and_a_decimal_pad_file_the_report(client, db, world, walk_a):
    login(client, world.emails["leader_a"])
    client.post(f"/reports/booking/{walk_a.booking.id}")
    report = _report(db)
    typed = {
        "walkers-0-start": "2200",  # iPhone number pad: digits only
        "walkers-0-end": "300",
        "walkers-1-start": "22,00",  # Swedish decimal pad
        "walkers-1-end": "0.30",
        "add_start": "23",  # a whole hour
        "add_end": "3",
    }
    response = client.post(f"/reports/{report.id}/edit", data=_form(world, **typed))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.expire_all()
    assert db.get(PatrolReport, report.id).status == "submitted"
    minutes = {
        w.user_id: w.minutes
        for w in db.exec(select(ReportWalker).where(ReportWalker.report_id == report.id))
    }
    # As with "22:00"-"03:00" etc. on the 25-hour night (tests/reports/test_views.py).
    assert minutes == {
        world.ids["vol_a"]: 360,
        world.ids["vol_a2"]: 150,
        world.ids["leader_a"]: 300,
    }


def test_what_is_not_a_time_is_refused_by_the_field_saying_why(client, db, world, walk_a):
    login(client, world.emails["leader_a"])
    client.post(f"/reports/booking/{walk_a.booking.id}")
    report = _report(db)
    page = client.get(f"/reports/{report.id}/edit").get_data(as_text=True)
    assert 'inputmode="decimal"' in page and "Skriv tiden som 2230, 22.30 eller 22:30." in page
    # (The English texts: tests/web/test_fields.py; here the db fixture's app context would
    # keep the Swedish locale cached.)
    for value, swedish in [
        ("2460", "Timmen måste vara 00–23."),
        ("22:75", "Minuterna måste vara 00–59."),
        ("kl 22", "Det är ingen tid."),
    ]:
        response = client.post(
            f"/reports/{report.id}/edit", data=_form(world, **{"walkers-0-end": value})
        )
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        error = html.split('id="walkers-0-end-error"', 1)[1].split("</span>", 1)[0]
        assert swedish in error, error
        assert f'value="{value}"' in html  # shown back as typed
    db.expire_all()
    assert db.get(PatrolReport, report.id).status == "draft"
