"""An agreement shared by Hässleholm and Bjuv: each coordinator sees only their own
municipality's associations and money, and only the liaison (or an admin) pays out a run that
covers both. What a refused request leaves behind is checked in the database."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime

import openpyxl
import pypdf
import pytest
from sqlmodel import select

from nattvandring import clock
from nattvandring.associations.models import Association
from nattvandring.sponsorship import services_membership
from nattvandring.sponsorship import services_runs as runs
from nattvandring.sponsorship.models import (
    PayoutLine,
    PayoutRun,
    RunStatus,
    SponsorAgreement,
)
from nattvandring.sponsorship.rules import PaymentRule

from .conftest import agreement, approve_from_page, login_as, walk

# 1 234 kr per walk: Hässleholm's two associations earn 2 468 kr and 3 702 kr, Bjuv's 1 234 kr.
RULE = PaymentRule(kind="per_walk", amount_ore=123_400, min_walkers=3, min_age=18)
HASSLEHOLM_AMOUNTS = ("2 468", "2468", "3 702", "3702", "7 404", "7404", "6 170", "6170")
RUN_DATA = {"period_start": "2026-03-01", "period_end": "2026-03-31"}


@pytest.fixture
def shared(db, world, place):
    """The shared agreement, March walked by all three associations; no run yet."""
    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    deal = agreement(db, world, rule=RULE, budget_ore=10_000_000)
    for key, days in (("assoc_a", (6, 7)), ("assoc_b", (13, 14, 20)), ("assoc_c", (21,))):
        for day in days:
            walk(db, **place[key], evening=date(2026, 3, day), birth_years=[1980, 1981, 1982])
    db.commit()
    clock.freeze(datetime(2026, 5, 2, tzinfo=UTC))
    return deal


def _run(db, deal, *, approve: bool = False) -> PayoutRun:
    run = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        actor_id=None,
    )
    if approve:
        runs.approve(db, run=run, agreement=deal, actor_id=1)
    db.commit()
    return run


def _hassleholm_secrets(db, world) -> list[str]:
    """What the Bjuv coordinator must never read: names, organisation and bankgiro numbers
    (with and without dashes) and the amounts of Hässleholm's associations."""
    found = []
    for key in ("assoc_a", "assoc_b"):
        row = db.get(Association, world.ids[key])
        found += [row.name, row.org_number, row.org_number.replace("-", "")]
        found += [row.account_number, row.account_number.replace("-", "")]
    return found + list(HASSLEHOLM_AMOUNTS)


def _assert_none_of(secrets: list[str], text: str, where: str, own: list[str]) -> None:
    """``own``: the viewer's own association's numbers, left out first (a bankgiro number
    made by the factories can contain one of the amounts' digits, "500-3702")."""
    for number in own:
        text = text.replace(number, "")
    leaked = [secret for secret in secrets if secret in text]
    assert not leaked, f"{where} shows {leaked}"


def _xlsx_text(body: bytes) -> str:
    cells = openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True)
    return "\n".join(" ".join("" if v is None else str(v) for v in row) for row in cells)


def _pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)


def test_bjuv_coordinator_sees_no_hassleholm_association_in_any_page_or_export(
    client, db, world, shared
):
    run = _run(db, shared, approve=True)
    secrets = _hassleholm_secrets(db, world)
    bjuv = db.get(Association, world.ids["assoc_c"])
    own = [bjuv.org_number, bjuv.account_number]
    own += [number.replace("-", "") for number in own]
    login_as(client, world.emails["coord_b"])

    pages = {
        "agreement": f"/sponsorship/agreements/{shared.id}",
        "run": f"/sponsorship/runs/{run.id}",
        "payouts": "/sponsorship/payouts",
        "agreements": "/sponsorship/agreements",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        _assert_none_of(secrets, response.get_data(as_text=True), name, own)
    run_page = client.get(pages["run"]).get_data(as_text=True)
    assert bjuv.name in run_page and bjuv.org_number in run_page and "1 234 kr" in run_page
    assert "Du ser bara föreningarna i din kommun" in run_page
    agreement_page = client.get(pages["agreement"]).get_data(as_text=True)
    assert bjuv.name in agreement_page
    assert "använt i din kommun 1 234 kr" in agreement_page  # not the 7 404 kr of the run
    assert "1 234 kr" in client.get(pages["payouts"]).get_data(as_text=True)

    downloads = {}
    for name, query in (("csv", ""), ("csv", "?dialect=plain"), ("xlsx", ""), ("pdf", "")):
        response = client.get(f"/sponsorship/runs/{run.id}/export.{name}{query}")
        assert response.status_code == 200, name
        downloads[name + query] = response.get_data()  # streamed: read before the next
    csv_swedish, csv_plain = downloads["csv"], downloads["csv?dialect=plain"]
    xlsx, pdf = downloads["xlsx"], downloads["pdf"]
    rows = list(csv.reader(io.StringIO(csv_swedish.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [row[0] for row in rows[1:]] == [bjuv.name]
    assert rows[1][10] == "1234,00"
    _assert_none_of(secrets, csv_swedish.decode("utf-8-sig"), "CSV", own)
    _assert_none_of(secrets, csv_plain.decode("utf-8"), "plain CSV", own)
    xlsx_text = _xlsx_text(xlsx)
    _assert_none_of(secrets, xlsx_text, "XLSX", own)
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        raw = b"".join(archive.read(member) for member in archive.namelist()).decode()
    _assert_none_of(secrets[: -len(HASSLEHOLM_AMOUNTS)], raw, "XLSX archive", own)
    assert "Summa" in xlsx_text and "1234" in xlsx_text
    pdf_text = _pdf_text(pdf)
    _assert_none_of(secrets, pdf_text, "PDF", own)
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1
    assert bjuv.name in pdf_text


def test_liaison_and_hassleholm_coordinator_see_their_parts(client, db, world, shared):
    run = _run(db, shared, approve=True)
    assoc_a = db.get(Association, world.ids["assoc_a"])
    login_as(client, world.emails["liaison"])
    page = client.get(f"/sponsorship/runs/{run.id}").get_data(as_text=True)
    assert assoc_a.org_number in page and "Bjuvs IF" in page and "7 404 kr" in page
    assert "Du ser bara" not in page
    login_as(client, world.emails["coord_h"])
    page = client.get(f"/sponsorship/runs/{run.id}").get_data(as_text=True)
    assert assoc_a.org_number in page and "6 170 kr" in page  # 2 468 + 3 702
    assert "Bjuvs IF" not in page and "7 404" not in page
    body = client.get(f"/sponsorship/runs/{run.id}/export.csv").get_data().decode("utf-8-sig")
    assert "Bjuvs IF" not in body and "IFK Hässleholm" in body


def _run_rows(db) -> list[tuple[int, str, str]]:
    db.rollback()
    found = db.exec(select(PayoutRun).order_by(PayoutRun.id)).all()
    return [(r.id, r.status, r.payment_reference) for r in found]


@pytest.mark.parametrize("who", ["coord_b", "coord_h"])
def test_no_coordinator_pays_out_a_run_of_several_municipalities(client, db, world, shared, who):
    draft = _run(db, shared)
    login_as(client, world.emails[who])
    before = _run_rows(db)
    assert client.post(f"/sponsorship/agreements/{shared.id}/runs", data=RUN_DATA).status_code == (
        403
    )
    for action in ("recompute", "approve", "delete"):
        assert client.post(f"/sponsorship/runs/{draft.id}/{action}").status_code == 403, action
    assert _run_rows(db) == before
    page = client.get(f"/sponsorship/runs/{draft.id}").get_data(as_text=True)
    assert "Godkänn och lås" not in page and "Räkna om" not in page
    agreement_page = client.get(f"/sponsorship/agreements/{shared.id}").get_data(as_text=True)
    assert "Beräkna utbetalning" not in agreement_page

    runs.approve(db, run=db.get(PayoutRun, draft.id), agreement=shared, actor_id=1)
    db.commit()
    before = _run_rows(db)
    paid = client.post(
        f"/sponsorship/runs/{draft.id}/paid", data={"paid_on": "2026-05-20", "reference": "X-1"}
    )
    assert paid.status_code == 403
    assert _run_rows(db) == before
    assert "Markera som betald" not in client.get(f"/sponsorship/runs/{draft.id}").get_data(
        as_text=True
    )


def test_liaison_pays_out_the_shared_run(client, db, world, shared):
    login_as(client, world.emails["liaison"])
    created = client.post(f"/sponsorship/agreements/{shared.id}/runs", data=RUN_DATA)
    assert created.status_code == 302
    run_id = int(created.headers["Location"].rsplit("/", 1)[1])
    assert approve_from_page(client, run_id).status_code == 302
    paid = client.post(
        f"/sponsorship/runs/{run_id}/paid", data={"paid_on": "2026-05-20", "reference": "LF-9"}
    )
    assert paid.status_code == 302
    assert _run_rows(db) == [(run_id, RunStatus.PAID, "LF-9")]


def test_coordinator_pays_out_a_run_of_their_own_municipality(client, db, world, place):
    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    deal = agreement(db, world, rule=RULE, municipalities=("bjuv",), enrol=("assoc_c",))
    walk(db, **place["assoc_c"], evening=date(2026, 3, 21), birth_years=[1980, 1981, 1982])
    db.commit()
    clock.freeze(datetime(2026, 5, 2, tzinfo=UTC))
    login_as(client, world.emails["coord_b"])
    created = client.post(f"/sponsorship/agreements/{deal.id}/runs", data=RUN_DATA)
    assert created.status_code == 302
    run_id = int(created.headers["Location"].rsplit("/", 1)[1])
    assert approve_from_page(client, run_id).status_code == 302
    paid = client.post(
        f"/sponsorship/runs/{run_id}/paid", data={"paid_on": "2026-05-20", "reference": "B-1"}
    )
    assert paid.status_code == 302
    assert _run_rows(db) == [(run_id, RunStatus.PAID, "B-1")]


def test_an_enrolment_outliving_the_cover_still_makes_the_run_shared(client, db, world, shared):
    """Hässleholm taken off the cover while its associations stay enrolled: a run still has
    lines for them (their names and accounts), so it is not Bjuv's alone."""
    services_membership.set_municipalities(db, shared, [world.ids["bjuv"]])
    db.commit()
    run = _run(db, db.get(SponsorAgreement, shared.id))
    held = {line.municipality_id for line in db.exec(select(PayoutLine)).all()}
    assert world.ids["hassleholm"] in held
    login_as(client, world.emails["coord_b"])
    assert client.post(f"/sponsorship/agreements/{shared.id}/runs", data=RUN_DATA).status_code == (
        403
    )
    assert client.post(f"/sponsorship/runs/{run.id}/approve").status_code == 403
    page = client.get(f"/sponsorship/runs/{run.id}").get_data(as_text=True)
    assert "IFK Hässleholm" not in page and "Bjuvs IF" in page


def test_a_coordinator_whose_cover_was_taken_off_still_follows_their_associations(
    client, db, world, shared
):
    """Hässleholm taken off the cover: its associations are still enrolled and their March
    evenings are still paid, so its coordinator still sees the agreement and the run and
    may withdraw them; only the coverage (the edit page) is no longer theirs."""
    services_membership.set_municipalities(db, shared, [world.ids["bjuv"]])
    db.commit()
    run = _run(db, shared)
    login_as(client, world.emails["coord_h"])
    page = client.get(f"/sponsorship/agreements/{shared.id}").get_data(as_text=True)
    assert "IFK Hässleholm" in page and "Bjuvs IF" not in page
    run_page = client.get(f"/sponsorship/runs/{run.id}")
    assert run_page.status_code == 200 and "IFK Hässleholm" in run_page.get_data(as_text=True)
    assert client.get(f"/sponsorship/agreements/{shared.id}/edit").status_code == 403
    withdrawn = client.post(
        f"/sponsorship/agreements/{shared.id}/enrolments/{world.ids['assoc_a']}/delete"
    )
    assert withdrawn.status_code == 302
