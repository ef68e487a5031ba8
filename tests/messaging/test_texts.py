"""SMS texts: snapshots per kind and language, GSM-7, at most two segments."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from nattvandring.clock import local_to_utc
from nattvandring.messaging.gsm import is_gsm7, segments
from nattvandring.messaging.texts import (
    LINK_MARKER,
    local_clock,
    local_day,
    reminder_wording,
    render,
)

BASE = "https://nattvandring.example.se"
START = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # Friday 21:00 in Stockholm
END = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)


def context(language: str, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "Åsa",
        "date": local_day(START, language),
        "start": local_clock(START),
        "end": local_clock(END),
        "area": "Centrum",
        "meeting_point": "Fritidsgården Ung, Stortorget 1",
        "personal_url": f"{BASE}/me/TOKEN",
        "ics_url": f"{BASE}/walks/7.ics",
        "base_url": BASE,
        "volunteer": "Åsa Öberg",
        "count": 2,
        "minimum": 3,
        "association": "IFK Hässleholm",
        "due_date": "2026-12-05",
        "booking_id": 42,
        "code": "[[kod]]",
        "minutes": 15,
        "until": "2026-11-26 21:00",
        "group_url": f"{BASE}/booking/bookings/7/roster",
        "at": "20:55",
        "opens": "20:00",
        "closes": "07:00",
        "when": "i morgon fre 27 nov" if language == "sv" else "tomorrow Fri 27 Nov",
    }
    values.update(changes)
    return values


SNAPSHOTS = {
    ("confirmation", "sv"): "Hej Åsa! Du är bokad för nattvandring fre 27 nov kl 21:00-01:00, "
    "Centrum. Samling: Fritidsgården Ung, Stortorget 1. Svara JA för att bekräfta eller NEJ om "
    f"du inte kan. Din sida: {BASE}/me/TOKEN Kalender: {BASE}/walks/7.ics",
    ("confirmation", "en"): "Hi Åsa! You are booked for a night walk Fri 27 Nov 21:00-01:00, "
    "Centrum. Meet at: Fritidsgården Ung, Stortorget 1. Reply JA to confirm or NEJ if you "
    f"cannot come. Your page: {BASE}/me/TOKEN Calendar: {BASE}/walks/7.ics",
    ("reminder", "sv"): "Påminnelse: nattvandring i morgon fre 27 nov kl 21:00-01:00, Centrum. "
    "Samling: Fritidsgården Ung, Stortorget 1. Kan du inte? Svara NEJ så hinner ledaren ordna "
    f"någon annan. Din sida: {BASE}/me/TOKEN",
    ("reminder", "en"): "Reminder: night walk tomorrow Fri 27 Nov 21:00-01:00, Centrum. Meet at: "
    "Fritidsgården Ung, Stortorget 1. Cannot come? Reply NEJ so that the leader has time to "
    f"find someone else. Your page: {BASE}/me/TOKEN",
    ("change", "sv"): "Ändrad nattvandring: nu fre 27 nov kl 21:00-01:00, Centrum. Samling: "
    f"Fritidsgården Ung, Stortorget 1. Kan du inte? Svara NEJ. Kalender: {BASE}/walks/7.ics",
    ("change", "en"): "Night walk changed: now Fri 27 Nov 21:00-01:00, Centrum. Meet at: "
    f"Fritidsgården Ung, Stortorget 1. Cannot come? Reply NEJ. Calendar: {BASE}/walks/7.ics",
    ("cancellation", "sv"): "Inställd: nattvandringen fre 27 nov kl 21:00, Centrum, blir inte "
    f"av. Du behöver inte komma. Tack för att du ställer upp! Din sida: {BASE}/me/TOKEN",
    ("cancellation", "en"): "Cancelled: the night walk Fri 27 Nov 21:00, Centrum, will not take "
    f"place. You do not need to come. Thank you for volunteering! Your page: {BASE}/me/TOKEN",
    ("removed", "sv"): "Du är inte längre med i gruppen för nattvandringen fre 27 nov kl 21:00, "
    f"Centrum. Din sida: {BASE}/me/TOKEN",
    ("leader_declined", "sv"): "Åsa Öberg har tackat nej till nattvandringen fre 27 nov kl "
    "21:00, Centrum. Gruppen har nu 2 av minst 3.",
    ("leader_declined", "en"): "Åsa Öberg declined the night walk Fri 27 Nov 21:00, Centrum. "
    "The group now has 2 of at least 3.",
    ("leader_understaffed", "sv"): "IFK Hässleholm: nattvandringen fre 27 nov kl 21:00, "
    f"Centrum, har bara 2 av minst 3 vandrare. Lägg till fler i gruppen: {BASE}",
    ("leader_report_due", "sv"): "IFK Hässleholm: dags att lämna rapport för nattvandringen "
    f"fre 27 nov, Centrum. Senast 2026-12-05. {BASE}/reports/booking/42",
    ("leader_report_overdue", "sv"): "IFK Hässleholm: påminnelse från samordnaren. Rapporten "
    "för nattvandringen fre 27 nov, Centrum skulle ha lämnats 2026-12-05. "
    f"{BASE}/reports/booking/42",
    ("leader_report_overdue", "en"): "IFK Hässleholm: a reminder from the coordinator. The "
    "report for the night walk Fri 27 Nov, Centrum was due 2026-12-05. "
    f"{BASE}/reports/booking/42",
    ("leader_invalid_number", "sv"): "SMS till Åsa Öberg gick inte fram: numret verkar "
    "ogiltigt. Be hen uppdatera numret inför nattvandringen fre 27 nov kl 21:00, Centrum.",
    ("reserve_offered", "sv"): "IFK Hässleholm: nattvandringen fre 27 nov kl 21:00, Centrum, "
    "är ledig. Ni står först på reservlistan och kan boka den ensamma till 2026-11-26 21:00. "
    f"Boka här: {BASE}",
    ("reserve_expired", "sv"): "IFK Hässleholm: erbjudandet om nattvandringen fre 27 nov kl "
    "21:00, Centrum, gick ut utan bokning. Det går nu vidare till nästa förening på "
    "reservlistan.",
    ("reserve_offered", "en"): "IFK Hässleholm: the night walk Fri 27 Nov 21:00, Centrum, is "
    "free. You are first on the reserve list and can book it alone until 2026-11-26 21:00. "
    f"Book here: {BASE}",
    ("reply_help", "sv"): "Nattvandring: svara JA för att bekräfta din nästa vandring, NEJ om "
    "du inte kan, START när du börjar vandra och SLUT när du slutar, MEDLEM JA eller MEDLEM NEJ "
    "på en fråga om att gå med i en förening, STOPP för inga fler SMS.",
    ("leader_not_started", "sv"): "IFK Hässleholm: ingen i gruppen har checkat in på "
    "nattvandringen fre 27 nov kl 21:00, Centrum. Har ni kommit i väg? Checka in gruppen här: "
    f"{BASE}/booking/bookings/7/roster",
    ("leader_not_started", "en"): "IFK Hässleholm: nobody in the group has checked in for the "
    "night walk Fri 27 Nov 21:00, Centrum. Have you set off? Check the group in here: "
    f"{BASE}/booking/bookings/7/roster",
    ("leader_still_out", "sv"): "IFK Hässleholm: några i gruppen är fortfarande incheckade två "
    "timmar efter att nattvandringen fre 27 nov, Centrum, skulle sluta kl 01:00. Är allt bra? "
    f"Checka ut dem här: {BASE}/booking/bookings/7/roster",
    ("reply_checked_in", "sv"): "Välkommen ut Åsa! Du är incheckad kl 20:55 på nattvandringen i "
    "Centrum. Svara SLUT när du går hem.",
    ("reply_checked_out", "en"): "Thank you for tonight, Åsa! You checked out at 20:55 from the "
    "night walk in Centrum.",
    ("reply_checkin_too_early", "sv"): "Det är för tidigt att checka in. Incheckningen till "
    "nattvandringen fre 27 nov kl 21:00, Centrum, öppnar kl 20:00.",
    ("reply_checkout_too_late", "en"): "Check-out from the night walk Fri 27 Nov, Centrum, closed "
    "at 07:00. Ask the leader to correct the times in the report.",
    ("membership_question", "sv"): "Hej Åsa! IFK Hässleholm vill ha med dig som nattvandrare. "
    "Vill du gå med i föreningen? Svara MEDLEM JA eller MEDLEM NEJ, eller svara på din sida: "
    f"{BASE}/me/TOKEN",
    ("membership_question", "en"): "Hi Åsa! IFK Hässleholm would like you to walk with them. Do "
    "you want to join the association? Reply MEMBER YES or MEMBER NO, or answer on your page: "
    f"{BASE}/me/TOKEN",
    ("verification_code", "sv"): "Din kod till Nattvandring: [[kod]]. Den gäller i 15 minuter. "
    "Har du inte bett om en kod kan du bortse från det här SMS:et.",
    ("verification_code", "en"): "Your Nattvandring code: [[kod]]. It is valid for 15 minutes. "
    "If you did not ask for a code, you can ignore this SMS.",
    ("reply_joined", "sv"): "Välkommen Åsa! Du är nu medlem i IFK Hässleholm.",
    ("reply_join_declined", "en"): "OK, you have declined to join IFK Hässleholm. The "
    "association only learns that you did not join.",
    ("reply_join_hint", "sv"): "Du har ingen kommande nattvandring att svara på. Gäller svaret "
    "frågan om att gå med i IFK Hässleholm? Svara då MEDLEM JA eller MEDLEM NEJ.",
    ("reply_confirmed", "en"): "Thank you Åsa! You confirmed the night walk Fri 27 Nov 21:00, "
    "Centrum.",
}


@pytest.mark.parametrize(("kind", "language"), sorted(SNAPSHOTS))
def test_snapshot(app, kind, language):
    with app.app_context():
        text = render(kind, language, context(language))
    assert text == SNAPSHOTS[(kind, language)]
    assert is_gsm7(text)
    assert segments(text) <= 2


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_membership_question_fits_with_a_long_name_and_the_real_link(app, language):
    link = f"{BASE}/me/" + "x" * 43
    values = context(
        language, association="Föreningen för trygga kvällar i Hässleholms kommun " * 3
    )
    values["personal_url"] = LINK_MARKER
    with app.app_context():
        text = render("membership_question", language, values, link_length=len(link))
    final = text.replace(LINK_MARKER, link)
    assert segments(final) <= 2 and final.endswith(link)
    assert "MEDLEM JA" in final or "MEMBER YES" in final


def test_unknown_language_falls_back_to_swedish(app):
    with app.app_context():
        text = render("reply_help", "de", context("sv"))
    assert text == SNAPSHOTS[("reply_help", "sv")]


def test_typographic_characters_become_gsm7(app):
    with app.app_context():
        text = render("reminder", "sv", context("sv", meeting_point="“Ungdomens hus” – entrén"))
    assert 'Samling: "Ungdomens hus" - entrén.' in text
    assert is_gsm7(text)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_long_free_text_is_shortened_to_two_segments(app, language):
    long_place = "Fritidsgården vid gamla järnvägsstationen, ingång från baksidan " * 4
    long_area = "Centrum och Norra stadsdelen med Hembygdsparken " * 3
    link = f"{BASE}/me/" + "x" * 43
    values = context(language, area=long_area, meeting_point=long_place, personal_url=LINK_MARKER)
    with app.app_context():
        text = render("confirmation", language, values, link_length=len(link))
    final = text.replace(LINK_MARKER, link)
    assert segments(final) == 2
    assert final.endswith(
        f"{link} {'Kalender' if language == 'sv' else 'Calendar'}: {BASE}/walks/7.ics"
    )
    assert "..." in final
    # The fixed wording and the time are intact; the free texts were cut, not dropped.
    assert "21:00-01:00" in final
    assert ("Centrum och" in final) and ("Fritidsgården" in final)


def test_text_that_fits_is_not_touched(app):
    with app.app_context():
        text = render("reminder", "sv", context("sv"), link_length=80)
    assert "..." not in text


def test_ucs2_name_still_fits(app):
    # An emoji forces UCS-2 (67 characters per part): the free texts give way first.
    values = context("sv", name="Åsa 🙂", meeting_point="Stortorget vid fontänen " * 3)
    with app.app_context():
        text = render("reminder", "sv", values)
    assert segments(text) <= 2
    assert text.endswith(f"Din sida: {BASE}/me/TOKEN")


def test_local_day_formats():
    assert local_day(START, "sv") == "fre 27 nov"
    assert local_day(START, "en") == "Fri 27 Nov"
    assert local_clock(END) == "01:00"


def test_the_soon_reminder_says_tonight(app):
    with app.app_context():
        sv = render("reminder_soon", "sv", context("sv", when="i kväll"))
        en = render("reminder_soon", "en", context("en", when="tonight"))
    assert sv == (
        "Snart dags: nattvandring i kväll kl 21:00, Centrum. Samling: Fritidsgården Ung, "
        f"Stortorget 1. Kan du inte ändå? Svara NEJ. Din sida: {BASE}/me/TOKEN"
    )
    assert en.startswith("Soon: night walk tonight at 21:00, Centrum.")
    assert segments(sv) <= 2 and segments(en) <= 2


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return local_to_utc(day, time(hour, minute))


FRIDAY = date(2026, 11, 27)
SATURDAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("send", "start", "language", "template", "when", "true_until"),
    [
        # 24 h before a Friday-evening walk: "i morgon", true until Thursday's midnight.
        (
            local(date(2026, 11, 26), 21),
            local(FRIDAY, 21),
            "sv",
            "reminder",
            "i morgon fre 27 nov",
            local(FRIDAY, 0),
        ),
        # 3 h before: "i kväll".
        (local(FRIDAY, 18), local(FRIDAY, 21), "sv", "reminder_soon", "i kväll", local(FRIDAY, 21)),
        (local(FRIDAY, 18), local(FRIDAY, 21), "en", "reminder_soon", "tonight", local(FRIDAY, 21)),
        # A day walk the same day.
        (local(FRIDAY, 9), local(FRIDAY, 13), "sv", "reminder_soon", "i dag", local(FRIDAY, 13)),
        # A walk at 02:00 on Saturday is "i natt" from Friday, in both reminders, which still
        # differ (the day-ahead text against the soon text).
        (local(FRIDAY, 8), local(SATURDAY, 2), "sv", "reminder", "i natt", local(SATURDAY, 2)),
        (
            local(FRIDAY, 22, 20),
            local(SATURDAY, 2),
            "sv",
            "reminder_soon",
            "i natt",
            local(SATURDAY, 2),
        ),
        # Further ahead: the date.
        (
            local(date(2026, 11, 25), 12),
            local(FRIDAY, 21),
            "en",
            "reminder",
            "Fri 27 Nov",
            local(FRIDAY, 21),
        ),
    ],
)
def test_reminder_wording(send, start, language, template, when, true_until):
    wording = reminder_wording(send, start, language)
    assert (wording.template, wording.when, wording.true_until) == (template, when, true_until)


def test_reminder_wording_across_the_dst_night():
    # Sunday 25 Oct 2026, 01:00 (CEST -> CET at 03:00): 24 h before is Saturday 01:00 CEST.
    start = local(date(2026, 10, 25), 22)
    wording = reminder_wording(start - timedelta(hours=24), start, "sv")
    assert wording.when == "i morgon sön 25 okt"
    assert wording.true_until == local(date(2026, 10, 25), 0)
