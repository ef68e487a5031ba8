"""The sponsor's payout statement PDF (nattvandring.sponsorship.exports)."""

from __future__ import annotations

import io

import pypdf

from nattvandring.formatting import format_sek
from nattvandring.sponsorship.exports import Statement, pdf_safe, statement_pdf

EVIL = '=HYPERLINK("http://x")'


def _statement(name: str, amount_ore: int) -> Statement:
    return Statement(
        association_name=name,
        org_number="802000-1234",
        account_label="Bankgiro 5050-1055",
        period_label="2026-01-01 – 2026-06-30",
        lines=[("Godkända vandringar", "8"), ("Volontärtimmar", "96")],
        explanation="8 godkända vandringar × 1 500 kr",
        amount_ore=amount_ore,
        sponsor_name="Länsförsäkringar Göinge-Kristianstad",
        run_label="Utbetalning vår 2026",
    )


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_pdf_has_one_page_per_association_with_name_and_amount():
    statements = [
        _statement("IK Göinge Hässleholm", 1_200_000),
        _statement("Föräldraföreningen Bjuv", 123_456),
        _statement("Hörby Scoutkår", 0),
    ]
    data = statement_pdf(statements)
    assert data.startswith(b"%PDF")
    pages = _pages(data)
    assert len(pages) == 3
    for text, statement in zip(pages, statements, strict=True):
        assert statement.association_name in text
        assert format_sek(statement.amount_ore) in text
        assert "Bankgiro 5050-1055" in text
        assert "802000-1234" in text
    assert "12 000 kr" in pages[0] and "1 234,56 kr" in pages[1] and "0 kr" in pages[2]
    assert "8 godkända vandringar × 1 500 kr" in pages[0]
    assert "2026-01-01 – 2026-06-30" in pages[0]


def test_pdf_survives_emoji_and_other_scripts():
    data = statement_pdf([_statement("Nattugglorna 🦉 夜", 150_000), _statement(EVIL, 1)])
    pages = _pages(data)
    assert len(pages) == 2
    assert "Nattugglorna ? ?" in pages[0]
    assert "1 500 kr" in pages[0]
    assert EVIL in pages[1]


def test_pdf_without_statements_says_so():
    pages = _pages(statement_pdf([]))
    assert len(pages) == 1
    assert "Inga utbetalningar" in pages[0]


def test_pdf_safe():
    assert pdf_safe("Åsa Öberg – 5 €") == "Åsa Öberg – 5 €"
    assert pdf_safe("−12 🚓") == "-12 ?"
    assert pdf_safe("a\x00b") == "a?b"
