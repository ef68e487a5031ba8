"""Downloads read back: CSV (both dialects), XLSX, PDF; no walker names; statements."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pypdf
import pytest

from nattvandring import clock
from nattvandring.associations.models import Association
from nattvandring.exports import content_disposition
from nattvandring.sponsorship import services_runs as runs
from tests.factories import user

from .conftest import agreement, login_as, walk

EVIL = '=HYPERLINK("http://x")'
WALKER_NAMES = ("Zelda Vandrarsson", "Ymer Nattugglesson", "Xena Trygghetsdottir")


@pytest.fixture
def paid_run(db, world, place):
    """March: IFK Hässleholm (renamed to a formula) 2 walks, Bjuvs IF 1; approved."""
    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    db.get(Association, world.ids["assoc_a"]).name = EVIL
    people = [user(db, name, birth_year=1980).id for name in WALKER_NAMES]
    deal = agreement(db, world, enrol=("assoc_a", "assoc_c"))
    for day in (6, 7):
        walk(
            db,
            **place["assoc_a"],
            evening=date(2026, 3, day),
            birth_years=[1980, 1981, 1982],
            user_ids=people,
        )
    walk(
        db,
        **place["assoc_c"],
        evening=date(2026, 3, 13),
        birth_years=[1970, 1971, 1972],
        user_ids=people,
    )
    clock.freeze(datetime(2026, 5, 2, tzinfo=UTC))
    run = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        actor_id=None,
    )
    runs.approve(db, run=run, agreement=deal, actor_id=world.ids["admin"])
    db.commit()
    return run


def _no_names(data: bytes) -> None:
    for name in WALKER_NAMES:
        assert name.encode() not in data
        assert name.encode("utf-16-le") not in data


def test_run_csv_swedish_excel(client, world, paid_run):
    login_as(client, world.emails["liaison"])
    response = client.get(f"/sponsorship/runs/{paid_run.id}/export.csv")
    assert response.status_code == 200
    assert response.is_streamed
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    _no_names(body)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0][0] == "Förening" and rows[0][10] == "Belopp (kr)"
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["'" + EVIL][10] == "3000,00"
    assert by_name["'" + EVIL][7] == "2"
    assert by_name["Bjuvs IF"][10] == "1500,00"
    assert by_name["Bjuvs IF"][9] == "12,00"  # three walkers × 4 hours
    assert by_name["Bjuvs IF"][2] == "Bankgiro"
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition and 'filename="utbetalning-' in disposition


def test_run_csv_plain(client, world, paid_run):
    login_as(client, world.emails["liaison"])
    body = client.get(f"/sponsorship/runs/{paid_run.id}/export.csv?dialect=plain").get_data()
    assert not body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    amounts = sorted(Decimal(row[10]) for row in rows[1:])
    assert amounts == [Decimal("1500.00"), Decimal("3000.00")]


def test_run_xlsx_numbers_totals_and_neutralized_name(client, world, paid_run):
    login_as(client, world.emails["liaison"])
    response = client.get(f"/sponsorship/runs/{paid_run.id}/export.xlsx")
    assert response.status_code == 200
    body = response.get_data()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        for member in archive.namelist():
            _no_names(archive.read(member))
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet.freeze_panes == "A2"
    values = list(sheet.iter_rows(values_only=True))
    data, totals = values[1:-1], values[-1]
    assert {row[0] for row in data} == {"'" + EVIL, "Bjuvs IF"}
    assert all(isinstance(row[10], (int, float)) for row in data)
    assert isinstance(data[0][5], datetime)  # a real date cell
    assert totals[0] == "Summa"
    assert totals[10] == pytest.approx(sum(row[10] for row in data)) == 4500
    assert totals[7] == 3


def test_run_pdf_one_statement_per_association(client, world, paid_run):
    login_as(client, world.emails["liaison"])
    body = client.get(f"/sponsorship/runs/{paid_run.id}/export.pdf").get_data()
    _no_names(body)
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages]
    assert len(pages) == 2
    bjuv = next(text for text in pages if "Bjuvs IF" in text)
    assert "1 500 kr" in bjuv and "1 godkänd vandring × 1 500 kr" in bjuv
    ifk = next(text for text in pages if "HYPERLINK" in text)
    assert "3 000 kr" in ifk


def test_pages_never_show_walker_names(client, world, paid_run):
    login_as(client, world.emails["liaison"])
    for url in (
        "/sponsorship/",
        "/sponsorship/?start=2026-01-01&end=2026-12-31",
        "/sponsorship/payouts",
        f"/sponsorship/runs/{paid_run.id}",
        "/sponsorship/summary.csv?start=2026-01-01&end=2026-12-31",
        "/sponsorship/summary.xlsx?start=2026-01-01&end=2026-12-31",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        _no_names(response.get_data())


def test_dashboard_and_summary_figures(client, world, paid_run):
    login_as(client, world.emails["liaison"])
    page = client.get("/sponsorship/?start=2026-01-01&end=2026-12-31").get_data(as_text=True)
    assert "<svg" in page and "2026-03" in page
    assert "<script" not in page.split('<main id="main"')[1]  # the chart is drawn on the server
    assert "4 500 kr" in page  # budget used: the approved run
    body = client.get("/sponsorship/summary.csv?start=2026-01-01&end=2026-12-31").get_data()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == [
        "Förening",
        "Organisationsnummer",
        "Kommun",
        "Månad",
        "Vandringar",
        "Vandrare",
        "Volontärtimmar",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["'" + EVIL][2:] == ["Hässleholm", "2026-03-01", "2", "6", "24,00"]
    assert by_name["Bjuvs IF"][4:] == ["1", "3", "12,00"]
    bjuv_only = (
        client.get(
            f"/sponsorship/summary.csv?start=2026-01-01&end=2026-12-31&municipality={world.ids['bjuv']}"
        )
        .get_data()
        .decode("utf-8-sig")
    )
    assert "Bjuvs IF" in bjuv_only and "HYPERLINK" not in bjuv_only
    xlsx = client.get("/sponsorship/summary.xlsx?start=2026-01-01&end=2026-12-31").get_data()
    values = list(openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
    assert values[-1][0] == "Summa" and values[-1][4] == 3
    assert {row[0] for row in values[1:-1]} == {"'" + EVIL, "Bjuvs IF"}


def test_leader_sees_only_own_statement(client, world, paid_run):
    login_as(client, world.emails["leader_c"])
    page = client.get("/sponsorship/statement").get_data(as_text=True)
    assert "1 godkänd vandring × 1 500 kr" in page
    assert "2 godkända vandringar" not in page
    own = client.get(f"/sponsorship/statement/{paid_run.id}/{world.ids['assoc_c']}.pdf")
    assert own.status_code == 200
    pages = pypdf.PdfReader(io.BytesIO(own.get_data())).pages
    assert len(pages) == 1 and "1 500 kr" in pages[0].extract_text()
    other = client.get(f"/sponsorship/statement/{paid_run.id}/{world.ids['assoc_a']}.pdf")
    assert other.status_code == 404
    assert client.get(f"/sponsorship/runs/{paid_run.id}").status_code == 404
    assert client.get("/sponsorship/").status_code == 403


def test_draft_runs_are_not_on_statements(client, db, world, place):
    deal = agreement(db, world, enrol=("assoc_c",))
    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    walk(db, **place["assoc_c"], evening=date(2026, 3, 13), birth_years=[1970, 1971, 1972])
    clock.freeze(datetime(2026, 5, 2, tzinfo=UTC))
    run = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        actor_id=None,
    )
    db.commit()
    login_as(client, world.emails["leader_c"])
    assert "Inga godkända utbetalningar" in client.get("/sponsorship/statement").get_data(
        as_text=True
    )
    assert (
        client.get(f"/sponsorship/statement/{run.id}/{world.ids['assoc_c']}.pdf").status_code == 404
    )


def test_content_disposition_has_ascii_fallback_and_utf8_name():
    header = content_disposition('utbetalning-Trygghet "åäö"/x.csv')
    assert header.startswith('attachment; filename="utbetalning-Trygghet_aao_-x.csv"')
    assert "filename*=UTF-8''utbetalning-Trygghet%20%22%C3%A5%C3%A4%C3%B6%22-x.csv" in header


def test_the_dashboard_chart_labels_every_month_empty_ones_included(client, world, paid_run):
    login_as(client, world.emails["liaison"])
    page = client.get("/sponsorship/?start=2025-11-01&end=2026-12-31").get_data(as_text=True)
    svg = page[page.index('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') :]
    svg = svg[: svg.index("</svg>")]
    names = re.findall(r'<tspan x="[0-9.]+" dy="0">([^<]+)</tspan>', svg)
    months = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
    # The walks are in March; the rest are empty. (Babel's short names: "mars", "juni"…)
    assert [name[:3] for name in names] == ["nov", "dec", *months]
    years = re.findall(r'<tspan x="[0-9.]+" dy="13">([^<]+)</tspan>', svg)
    assert years == ["2025", "2026"]  # under the first month and under January
    # A period of twenty years shows its last 36 months and says so.
    long = client.get("/sponsorship/?start=2007-01-01&end=2026-12-31").get_data(as_text=True)
    assert "Diagrammet visar periodens sista 36 månader." in long
    assert len(re.findall(r'dy="0"', long)) == 36
