"""Shift edit/cancel, series change/cancel gate, rules and audit pages via the test client."""

from __future__ import annotations

import re

from sqlmodel import select

from nattvandring.audit.models import AuditEntry
from nattvandring.municipalities.models import Municipality
from nattvandring.planning.models import Shift
from tests.factories import login


def test_shift_edit_and_cancel_views(client, world, db, planned, recorded):
    login(client, world.emails["coord_h"])
    url = f"/planning/shifts/{planned['booked']}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "IFK Hässleholm" in page and "Under minimum" in page
    response = client.post(
        url,
        data={
            "day": "2026-09-05",
            "start_time": "20:00",
            "end_time": "00:00",
            "area_id": str(world.ids["area_h"]),
            "min_walkers": "3",
            "max_walkers": "6",
            "min_age": "18",
            "notes": "",
        },
    )
    assert response.status_code == 302
    db.rollback()  # end the read snapshot; see the app's commits
    assert db.get(Shift, planned["booked"]).sequence == 1
    refused = client.post(f"/planning/shifts/{planned['booked']}/cancel", data={"reason": ""})
    assert refused.status_code == 422
    assert "Ange en anledning till avbokningen." in refused.get_data(as_text=True)
    done = client.post(f"/planning/shifts/{planned['booked']}/cancel", data={"reason": "Storm"})
    assert done.status_code == 302
    db.rollback()  # end the read snapshot; see the app's commits
    assert db.get(Shift, planned["booked"]).status == "cancelled"
    assert [type(e).__name__ for e in recorded] == ["ShiftChanged", "ShiftCancelled"]
    assert recorded[0].time_changed and recorded[1].reason == "Storm"
    page = client.get(url).get_data(as_text=True)
    assert "Inställt" in page and "Storm" in page


def test_series_change_requires_preview_and_confirmation(client, world, db, planned):
    login(client, world.emails["coord_h"])
    url = f"/planning/series/{planned['series']}/times"
    preview = client.post(url, data={"start_time": "20:00", "end_time": "00:00"})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Jag förstår att 1 bokade pass påverkas" in text
    assert "4 kommande pass påverkas, varav 1 bokade." in text
    assert 'class="affected-booked"' in text
    db.rollback()  # end the read snapshot; see the app's commits
    assert {s.sequence for s in db.exec(select(Shift))} == {0}
    # Applying without ticking the box changes nothing.
    unconfirmed = client.post(
        url, data={"start_time": "20:00", "end_time": "00:00", "step": "apply:20:00-00:00"}
    )
    assert unconfirmed.status_code == 422
    assert "Bekräfta att du förstår att 1 bokade pass påverkas." in unconfirmed.get_data(
        as_text=True
    )
    db.rollback()  # end the read snapshot; see the app's commits
    assert {s.sequence for s in db.exec(select(Shift))} == {0}
    # Other times than the previewed ones go back to the preview, again changing nothing.
    other = client.post(
        url,
        data={
            "start_time": "19:00",
            "end_time": "23:00",
            "step": "apply:20:00-00:00",
            "confirm": "y",
        },
    )
    assert other.status_code == 200
    db.rollback()  # end the read snapshot; see the app's commits
    assert {s.sequence for s in db.exec(select(Shift))} == {0}
    confirmed = client.post(
        url,
        data={
            "start_time": "20:00",
            "end_time": "00:00",
            "step": "apply:20:00-00:00",
            "confirm": "y",
        },
    )
    assert confirmed.status_code == 302
    db.rollback()  # end the read snapshot; see the app's commits
    assert {s.sequence for s in db.exec(select(Shift))} == {1}


def test_series_cancel_requires_confirmation(client, world, db, planned):
    login(client, world.emails["coord_h"])
    url = f"/planning/series/{planned['series']}/cancel"
    preview = client.post(url, data={"reason": "Slut på pengar"})
    assert "Jag förstår att 1 bokade pass påverkas" in preview.get_data(as_text=True)
    unconfirmed = client.post(url, data={"reason": "Slut på pengar", "step": "apply"})
    assert unconfirmed.status_code == 422
    db.rollback()  # end the read snapshot; see the app's commits
    assert {s.status for s in db.exec(select(Shift))} != {"cancelled"}
    confirmed = client.post(url, data={"reason": "Slut på pengar", "step": "apply", "confirm": "y"})
    assert confirmed.status_code == 302
    db.rollback()  # end the read snapshot; see the app's commits
    assert {s.status for s in db.exec(select(Shift))} == {"cancelled"}


def test_rules_page_validates_and_saves(client, world, db):
    login(client, world.emails["coord_h"])
    url = f"/planning/{world.ids['hassleholm']}/rules"
    data = {
        "max_associations_per_shift": "0",
        "monthly_booking_cap": "",
        "cancel_deadline_hours": "48",
        "report_due_days": "5",
        "reserve_offer_hours": "12",
    }
    bad = client.post(url, data=data)
    assert bad.status_code == 422
    assert "Antal föreningar per pass måste vara mellan 1 och 10." in bad.get_data(as_text=True)
    data["max_associations_per_shift"] = "2"
    db.get(Municipality, world.ids["hassleholm"]).monthly_booking_cap = 3
    db.commit()
    assert client.post(url, data=data).status_code == 302
    db.rollback()  # end the read snapshot; see the app's commits
    stored = db.get(Municipality, world.ids["hassleholm"])
    assert (stored.max_associations_per_shift, stored.monthly_booking_cap) == (2, None)
    assert (stored.cancel_deadline_hours, stored.report_due_days) == (48, 5)
    assert stored.allow_reserve_list is False
    assert stored.reserve_offer_hours == 12
    log = client.get(f"/planning/{world.ids['hassleholm']}/audit").get_data(as_text=True)
    assert "Ändrade bokningsreglerna" in log and "Coord H" in log
    assert "Antal föreningar per pass: 1 → 2" in log and "rules_changed" not in log


def test_audit_page_shows_only_own_municipality(client, world, db):
    db.add(
        AuditEntry(
            action="area.created",
            object_type="patrol_area",
            municipality_id=world.ids["bjuv"],
            details="BJUV-ONLY",
        )
    )
    db.add(
        AuditEntry(
            action="area.created",
            object_type="patrol_area",
            municipality_id=world.ids["hassleholm"],
            details="HASS-ONLY",
        )
    )
    db.commit()
    login(client, world.emails["coord_h"])
    page = client.get(f"/planning/{world.ids['hassleholm']}/audit").get_data(as_text=True)
    assert "HASS-ONLY" in page and "BJUV-ONLY" not in page


def test_too_long_cancel_reasons_are_refused_next_to_the_field(client, world, db, planned):
    """The reason column holds 500 characters: longer reasons are a 422, nothing is stored."""
    login(client, world.emails["coord_h"])
    long_reason = "x" * 501
    shift = client.post(
        f"/planning/shifts/{planned['booked']}/cancel", data={"reason": long_reason}
    )
    assert shift.status_code == 422
    assert 'id="reason-error"' in shift.get_data(as_text=True)
    # The refused page offers the same areas, labelled the same, as the edit page.
    edit = client.get(f"/planning/shifts/{planned['booked']}/edit").get_data(as_text=True)
    area_select = re.compile(r'<select[^>]*name="area_id".*?</select>', re.S)
    assert area_select.search(shift.get_data(as_text=True)).group(0) == (
        area_select.search(edit).group(0)
    )
    series = client.post(
        f"/planning/series/{planned['series']}/cancel",
        data={"reason": long_reason, "step": "apply", "confirm": "y"},
    )
    assert series.status_code == 422
    assert 'id="reason-error"' in series.get_data(as_text=True)
    db.rollback()  # end the read snapshot; see the app's commits
    assert "cancelled" not in {s.status for s in db.exec(select(Shift))}


def test_special_nights_preview_with_an_unreadable_date_is_a_422(client, world):
    login(client, world.emails["coord_h"])
    response = client.post(
        f"/planning/{world.ids['hassleholm']}/series/new",
        data={
            "action": "specials",
            "start_date": "2026-09-01",
            "end_date": "2026-12-31",
            "last_school_day": "2026-02-30",
        },
    )
    assert response.status_code == 422
    assert 'id="last_school_day-error"' in response.get_data(as_text=True)


def test_audit_page_reads_as_sentences_not_codes(client, world, db):
    """The Swedish log used to show "roster.declined assignment #710" and "shift=182"."""
    for action, object_type, details in (
        ("roster.declined", "assignment", "shift=182"),
        ("member.added", "user", "new person"),
    ):
        db.add(
            AuditEntry(
                action=action,
                object_type=object_type,
                object_id=710,
                municipality_id=world.ids["hassleholm"],
                details=details,
            )
        )
    db.commit()
    login(client, world.emails["coord_h"])
    page = client.get(f"/planning/{world.ids['hassleholm']}/audit").get_data(as_text=True)
    assert "En vandrare tackade nej till pass #182" in page
    assert "Lade till person #710 som medlem" in page and "ny person" in page
    for code in ("roster.declined", "shift=182", "new person", "assignment", "member.added"):
        assert code not in page, code
    # English: tests/audit/test_texts.py (the db fixture's app context keeps Swedish cached).
