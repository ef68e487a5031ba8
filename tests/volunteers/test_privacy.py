"""Data export, erasure (figures unchanged, no trace of name or number) and retention."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import String, or_
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, select

from nattvandring import clock, events, tokens
from nattvandring.accounts.models import AccessToken, Membership, TokenPurpose, User
from nattvandring.formatting import national_phone
from nattvandring.reports import situation
from nattvandring.reports.models import HoursLedgerEntry
from nattvandring.reports.queries import approved_walks, hours_by_association_month
from nattvandring.volunteers.privacy import erase_user, retention_sweep
from tests.reports.conftest import make_walk, march_world


def _figures(db, world):  # type: ignore[no-untyped-def]
    ids = [world.ids["assoc_a"], world.ids["assoc_b"], world.ids["assoc_c"]]
    walks = approved_walks(db, association_ids=ids, start=date(2026, 1, 1), end=date(2026, 12, 31))
    months = hours_by_association_month(
        db, association_ids=ids, start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    lage = situation.build(
        db,
        municipality_ids={world.ids["hassleholm"], world.ids["bjuv"]},
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        area_id=None,
    )
    ledger_rows = [
        (e.id, e.report_id, e.walker_id, e.minutes, e.walker_birth_year, e.evening, e.kind)
        for e in db.exec(select(HoursLedgerEntry).order_by(HoursLedgerEntry.id))
    ]
    return (
        {k: [(w.report_id, w.walkers, w.minutes) for w in v] for k, v in walks.items()},
        months,
        (lage.total.walks, lage.total.walkers, lage.total.minutes, lage.total.young_people),
        dict(lage.total.incidents),
        [(a.name, f.walks, f.walkers, f.minutes) for a, f in lage.areas],
        ledger_rows,
    )


def _text_hits(db, needles: list[str]) -> list[tuple[str, str]]:
    """Every (table, column) whose text contains one of ``needles``."""
    hits = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            kind = getattr(column.type, "impl", column.type)  # AutoString decorates String
            if not isinstance(kind, String):  # Text is a String too
                continue
            condition = or_(*[column.contains(n, autoescape=True) for n in needles])
            if db.exec(sa_select(table.c[column.name]).where(condition)).first() is not None:
                hits.append((table.name, column.name))
    return hits


def test_erasure_keeps_every_figure_and_leaves_no_trace(db, world) -> None:  # type: ignore[no-untyped-def]
    march_world(db, world)
    person = db.get(User, world.ids["vol_a2"])
    person.email = "vol.a2@example.org"
    person.phone_e164 = "+46701234567"
    tokens.issue(db, TokenPurpose.PERSONAL_PAGE, user_id=person.id)
    db.flush()
    name, phone, email = person.name, person.phone_e164, person.email
    needles = [name, phone, national_phone(phone), "0701234567", email]
    assert ("patrol_report", "summary") in _text_hits(db, needles)  # the summary quotes both
    before = _figures(db, world)
    assert before[2] == (4, 6, 1320, 72)

    seen = []
    handler = events.subscribe(events.PersonErased)(lambda session, event: seen.append(event))
    try:
        erase_user(db, person)
    finally:
        events._handlers[events.PersonErased].remove(handler)
    db.flush()

    assert _figures(db, world) == before
    assert _text_hits(db, needles) == []
    assert [e.user_id for e in seen] == [person.id]
    erased = db.get(User, person.id)
    assert (erased.name, erased.phone_e164, erased.email, erased.birth_year) == (
        "Raderad person",
        None,
        None,
        None,
    )
    assert erased.password_hash is None and erased.is_active is False
    assert erased.anonymized_at is not None
    assert db.exec(select(Membership).where(Membership.user_id == person.id)).all() == []
    assert all(
        t.revoked_at is not None
        for t in db.exec(select(AccessToken).where(AccessToken.user_id == person.id))
    )
    # The ledger still knows the walker's birth year for age rules.
    years = db.exec(
        select(HoursLedgerEntry.walker_birth_year).where(HoursLedgerEntry.user_id == person.id)
    ).all()
    assert years and set(years) == {1980}


def test_export_json_and_erase_through_personal_link(client, db, world) -> None:  # type: ignore[no-untyped-def]
    march_world(db, world)
    raw = tokens.issue(db, TokenPurpose.PERSONAL_PAGE, user_id=world.ids["vol_a2"])
    db.commit()
    response = client.get(f"/me/{raw}/privacy/export.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["person"]["name"] == "Vol A2"
    assert data["person"]["birth_year"] == 1980
    assert [m["association"] for m in data["memberships"]] == ["IFK Hässleholm"]
    assert sorted(e["minutes"] for e in data["hours_ledger"]) == [120, 180]
    assert client.get("/me/not-a-token/privacy/export.json").status_code == 404

    page = client.get(f"/me/{raw}/privacy/erase")
    assert page.status_code == 200
    assert client.post(f"/me/{raw}/privacy/erase", data={}).status_code == 422
    db.expire_all()
    assert db.get(User, world.ids["vol_a2"]).name == "Vol A2"
    done = client.post(f"/me/{raw}/privacy/erase", data={"confirm": "y"})
    assert done.status_code == 200
    assert "Uppgifterna är raderade" in done.get_data(as_text=True)
    db.commit()
    db.expire_all()
    assert db.get(User, world.ids["vol_a2"]).name == "Raderad person"
    assert client.get(f"/me/{raw}/privacy/export.json").status_code == 404


def test_staff_cannot_self_erase_from_the_link(client, db, world) -> None:  # type: ignore[no-untyped-def]
    raw = tokens.issue(db, TokenPurpose.PERSONAL_PAGE, user_id=world.ids["leader_a"])
    db.commit()
    response = client.post(f"/me/{raw}/privacy/erase", data={"confirm": "y"})
    assert response.status_code == 422
    db.commit()
    db.expire_all()
    assert db.get(User, world.ids["leader_a"]).name == "Leader A"


def test_retention_sweep_anonymises_only_inactive_volunteers(db, world) -> None:  # type: ignore[no-untyped-def]
    now = clock.utcnow() + timedelta(days=25 * 31)
    # vol_a walked a month ago; vol_c, vol_b and vol_a2 did nothing since they were created.
    make_walk(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        association_id=world.ids["assoc_a"],
        day=(now - timedelta(days=30)).date(),
        walkers=(world.ids["vol_a"],),
    )
    recent = db.get(User, world.ids["vol_b"])
    recent.last_login_at = now - timedelta(days=40)
    db.flush()
    erased = retention_sweep(db, months=24, now=now)
    assert sorted(erased) == sorted([world.ids["vol_a2"], world.ids["vol_c"]])
    assert db.get(User, world.ids["vol_a"]).name == "Vol A"
    assert db.get(User, world.ids["leader_a"]).anonymized_at is None
    assert retention_sweep(db, months=24, now=now) == []
