"""Payout statements: one PDF page per association.

A pure helper (no database, no Flask): views feed it statements and send the result. The
CSV and XLSX writing is the core ``nattvandring.exports``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from nattvandring.formatting import format_sek
from nattvandring.pdf import ENCODING, pair, pdf_safe

from .explain import Translate, sv


@dataclass(frozen=True)
class Statement:
    """One association's payout statement (one PDF page)."""

    association_name: str
    org_number: str
    account_label: str  # e.g. "Bankgiro 5050-1055"
    period_label: str
    lines: Sequence[tuple[str, str]]
    explanation: str
    amount_ore: int
    sponsor_name: str
    run_label: str
    draft: bool = False
    issued_on: date | None = None
    agreement_name: str = ""
    # (evening, walkers, hours, "counts" or why not, translated), one per approved walk
    walks: Sequence[tuple[str, str, str, str]] = ()


def amount_label(amount_ore: int, _: Translate = sv) -> str:
    """What the bottom line says: money to the association, or money back from it."""
    return _("Att återbetala") if amount_ore < 0 else _("Att betala")


def _statement_page(pdf: FPDF, st: Statement, _: Translate) -> None:
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(
        width,
        6,
        pdf_safe(f"{st.sponsor_name} · {st.run_label}"),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(4)
    if st.draft:
        pdf.set_font("Helvetica", "B", 18)
        pdf.set_text_color(166, 27, 27)
        pdf.multi_cell(
            width,
            9,
            pdf_safe(_("UTKAST / DRAFT – inte godkänt, betala inte ut")),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(
        width, 8, pdf_safe(_("Utbetalningsunderlag")), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(width, 7, pdf_safe(st.association_name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 11)
    for label, value in (
        (_("Utfärdat"), st.issued_on.isoformat() if st.issued_on else ""),
        (_("Avtal"), st.agreement_name),
        (_("Organisationsnummer"), st.org_number),
        (_("Konto"), st.account_label),
        (_("Period"), st.period_label),
    ):
        if value:
            pair(pdf, label, value)
    pdf.ln(4)
    for label, value in st.lines:
        pair(pdf, label, value)
    if st.walks:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 10)
        for text, w in ((_("Kväll"), 30), (_("Vandrare"), 25), (_("Timmar"), 25), ("", 0)):
            pdf.cell(w or pdf.epw - 80, 6, pdf_safe(text or _("Ersätts")))
        pdf.ln(6)
        pdf.set_font("Helvetica", "", 10)
        for evening, walkers, hours_text, note in st.walks:
            pdf.cell(30, 5, pdf_safe(evening))
            pdf.cell(25, 5, pdf_safe(walkers))
            pdf.cell(25, 5, pdf_safe(hours_text))
            pdf.multi_cell(pdf.epw - 80, 5, pdf_safe(note), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 10)
    pdf.multi_cell(width, 5, pdf_safe(st.explanation), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 14)
    pair(pdf, amount_label(st.amount_ore, _), format_sek(abs(st.amount_ore)))
    pdf.ln(8)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        width,
        5,
        pdf_safe(
            _("Ersättningen betalas till föreningens konto ovan, aldrig till enskilda vandrare.")
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )


def statement_pdf(statements: Sequence[Statement], _: Translate = sv) -> bytes:
    """Render one A4 page per statement with the PDF core fonts; returns the PDF bytes.
    Labels are in the language of ``_`` (the statements' own texts come translated).

    Names with characters outside Windows-1252 (emoji, ...) are printed with "?" instead of
    failing. With no statements the PDF holds a single page saying so.
    """
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = ENCODING
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(pdf_safe(_("Utbetalningsunderlag")))
    pdf.set_creator("Nattvandring")
    for statement in statements:
        _statement_page(pdf, statement, _)
    if not statements:
        pdf.add_page()
        pdf.set_font("Helvetica", "", 12)
        pdf.cell(
            pdf.epw,
            8,
            pdf_safe(_("Inga utbetalningar i denna körning.")),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    return bytes(pdf.output())
