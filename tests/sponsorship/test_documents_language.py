"""Payout documents (PDF statement, CSV and XLSX of a run, the hour summary) are in the
reader's language: Swedish by default, English when the UI is English, explanations included.

No ``db`` fixture: its app context would keep the Swedish locale cached for every request.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pypdf
import pytest
from openpyxl import load_workbook

from nattvandring import clock
from nattvandring.sponsorship import services_runs as runs
from nattvandring.sponsorship.rules import PaymentRule

from .conftest import agreement, login_as, walk

ADULTS = [1980, 1981, 1982]
# Words that only a Swedish document holds (labels, explanations, reasons).
SWEDISH = re.compile(
    r"\b(Förening|Utbetalningsunderlag|Utfärdat|Avtal|Kväll|Vandrare|Timmar|Ersätts|räknas"
    r"|Att betala|godkända?|vandringar|vandring|för få|helger?|UTKAST|Summa|Volontärtimmar"
    r"|Kommun|Månad|Förklaring|Belopp|utbetalning|kväll)\b"
)
ENGLISH = re.compile(
    r"\b(Association|Payout statement|Issued|Agreement|Evening|Walkers|Hours|Paid"
    r"|To pay|approved walks?|counts|too few|DRAFT|Total|Volunteer hours|Municipality"
    r"|Month|Explanation|Amount)\b"
)


@pytest.fixture
def draft_run(app, world, place):
    """A draft per-walk run of the spring: one walk paid, one with too few walkers."""
    from nattvandring.db import get_engine, session_scope

    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    with app.app_context(), session_scope(get_engine(app)) as session:
        deal = agreement(session, world)
        walk(session, **place["assoc_a"], evening=date(2026, 3, 6), birth_years=ADULTS, hours=3)
        walk(session, **place["assoc_a"], evening=date(2026, 3, 13), birth_years=[1980])
        clock.freeze(datetime(2026, 5, 2, tzinfo=UTC))  # the run's cutoff after the approvals
        run = runs.create_run(
            session,
            agreement=deal,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 3, 31),
            actor_id=None,
        )
        session.flush()
        return run.id


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _xlsx_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(
        " ".join("" if v is None else str(v) for v in row)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


def _documents(client, run_id: int) -> dict[str, str]:
    base = f"/sponsorship/runs/{run_id}/export"
    found = {}
    for name, url in (
        ("pdf", f"{base}.pdf"),
        ("csv", f"{base}.csv"),
        ("xlsx", f"{base}.xlsx"),
        ("summary_csv", "/sponsorship/summary.csv?start=2026-01-01&end=2026-03-31"),
        ("summary_xlsx", "/sponsorship/summary.xlsx?start=2026-01-01&end=2026-03-31"),
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        data = response.get_data()
        if name == "pdf":
            text = _pdf_text(data)
        elif name.endswith("xlsx"):
            text = _xlsx_text(data)
        else:
            text = data.decode("utf-8-sig")
        found[name] = text + "\n" + response.headers["Content-Disposition"]
    return found


def test_documents_are_swedish_by_default(client, world, draft_run):
    login_as(client, world.emails["liaison"])
    docs = _documents(client, draft_run)
    pdf = docs["pdf"]
    assert "Utbetalningsunderlag" in pdf and "UTKAST / DRAFT" in pdf and "Att betala" in pdf
    assert "räknas" in pdf and "för få vandrare (1 av 3)" in pdf
    assert "1 godkänd vandring × 1 500 kr" in pdf
    assert "9,00" in pdf  # 3 walkers × 3 h, decimal hours with a comma
    assert "Förening;Organisationsnummer" in docs["csv"]
    assert "1 godkänd vandring × 1 500 kr" in docs["csv"] and "utkast" in docs["csv"]
    assert "Förklaring" in docs["xlsx"] and "Summa" in docs["xlsx"]
    assert "Kommun" in docs["summary_csv"] and "timmar-" in docs["summary_csv"]
    assert "Månad" in docs["summary_xlsx"]
    for name, text in docs.items():
        assert not ENGLISH.search(text.replace("UTKAST / DRAFT", "")), (name, text)


def test_documents_are_english_in_the_english_ui(client, world, draft_run):
    login_as(client, world.emails["liaison"])
    client.post("/lang", data={"lang": "en", "next": "/"})
    docs = _documents(client, draft_run)
    pdf = docs["pdf"]
    assert "Payout statement" in pdf and "DRAFT" in pdf and "To pay" in pdf
    assert "counts" in pdf and "too few walkers (1 of 3)" in pdf
    assert "1 approved walk × 1 500 kr" in pdf
    assert "9.00" in pdf
    assert "Association,Organisation number" in docs["csv"].replace(";", ",")
    assert "1 approved walk × 1 500 kr" in docs["csv"] and "draft" in docs["csv"]
    assert "Explanation" in docs["xlsx"] and "Total" in docs["xlsx"]
    assert "Municipality" in docs["summary_csv"] and "hours-" in docs["summary_csv"]
    assert "Month" in docs["summary_xlsx"]
    for name, text in docs.items():
        names = text.replace("Trygghetsvandring", "").replace("Hässleholm", "")
        assert not SWEDISH.search(names), (name, SWEDISH.search(names), text)


def test_a_weekend_explanation_is_english_in_english(app, client, world, place):
    """Rule explanations other than per walk: a lone Friday, in the English PDF."""
    from nattvandring.db import get_engine, session_scope

    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    weekend = PaymentRule(kind="per_weekend", amount_ore=400_000, min_walkers=3, min_age=18)
    with app.app_context(), session_scope(get_engine(app)) as session:
        deal = agreement(session, world, rule=weekend)
        walk(session, **place["assoc_a"], evening=date(2026, 3, 6), birth_years=ADULTS)
        walk(session, **place["assoc_a"], evening=date(2026, 3, 7), birth_years=ADULTS)
        walk(session, **place["assoc_a"], evening=date(2026, 3, 20), birth_years=ADULTS)
        clock.freeze(datetime(2026, 5, 2, tzinfo=UTC))
        run = runs.create_run(
            session,
            agreement=deal,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 3, 31),
            actor_id=None,
        )
        session.flush()
        run_id = run.id
    login_as(client, world.emails["liaison"])
    client.post("/lang", data={"lang": "en", "next": "/"})
    pdf = _pdf_text(client.get(f"/sponsorship/runs/{run_id}/export.pdf").get_data())
    assert "1 weekend (Fri+Sat) × 4 000 kr" in pdf
    assert "1 evening without a complete weekend is not paid" in pdf
    assert "helg" not in pdf and "kväll" not in pdf
