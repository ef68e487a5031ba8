"""Payout exports: streaming CSV, streaming XLSX and one-page-per-association PDF statements.

Pure helpers (no database, no Flask): views feed them rows and stream or send the result.
Every string cell is neutralized against spreadsheet formula injection (OWASP CSV
injection). Money reaches these helpers as ``Decimal`` kronor (``ore_to_kronor(ore)``, which
keeps two decimals) or as already formatted text; never as float. Aware datetimes are shown
in Europe/Stockholm time.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from nattvandring.clock import to_local
from nattvandring.sponsorship.rules import format_sek

_DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
AMOUNT_FORMAT = "#,##0.00"
# Characters XML 1.0 forbids; openpyxl refuses them, so they are dropped from XLSX cells.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BOLD = Font(bold=True)


def ore_to_kronor(ore: int) -> Decimal:
    """Whole öre as exact ``Decimal`` kronor with two decimals: 1200000 -> Decimal("12000.00")."""
    if isinstance(ore, bool) or not isinstance(ore, int):
        raise ValueError(f"amounts are integer öre, got {ore!r}")
    return Decimal(ore).scaleb(-2)


def neutralize_cell(value: Any) -> Any:
    """Prefix strings that a spreadsheet would run as a formula with ``'``.

    Only strings are touched: a negative number stays a number.
    """
    if isinstance(value, str) and value.startswith(_DANGEROUS_PREFIXES):
        return "'" + value
    return value


def _local_minutes(value: datetime) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M")


def _csv_text(value: Any, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, datetime):
        return _local_minutes(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (Decimal, float)):
        text = format(value, "f") if isinstance(value, Decimal) else repr(value)
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, int):
        return str(value)
    return neutralize_cell(str(value))


def csv_rows(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    dialect: Literal["excel_sv", "plain"] = "excel_sv",
) -> Iterator[str]:
    """Yield CSV text one line at a time (the BOM first for ``excel_sv``).

    ``excel_sv``: UTF-8 BOM, ``;`` separator and decimal comma, for Swedish Excel.
    ``plain``: ``,`` separator, dot decimals, no BOM. Both use CRLF line ends (RFC 4180).
    Dates are ISO (YYYY-MM-DD); aware datetimes become Stockholm "YYYY-MM-DD HH:MM".
    Encode each chunk as UTF-8.
    """
    if dialect not in ("excel_sv", "plain"):
        raise ValueError(f"unknown CSV dialect {dialect!r}")
    swedish = dialect == "excel_sv"
    delimiter = ";" if swedish else ","
    if swedish:
        yield BOM

    def line(values: Sequence[Any]) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow([_csv_text(v, swedish) for v in values])
        return buffer.getvalue()

    yield line(header)
    for row in rows:
        yield line(row)


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip("' ")
    return (cleaned or "Blad1")[:31]


def _xlsx_cell(ws: Any, value: Any, number_format: str | None, bold: bool) -> Any:
    if isinstance(value, str):
        value = neutralize_cell(_XML_ILLEGAL.sub("", value))
    elif isinstance(value, datetime):
        value = to_local(value).replace(tzinfo=None)  # Excel has no time zones
        number_format = number_format or DATETIME_FORMAT
    elif isinstance(value, date):
        number_format = number_format or DATE_FORMAT
    elif isinstance(value, Decimal):
        number_format = number_format or AMOUNT_FORMAT
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        pass
    elif value is not None and not isinstance(value, bool):
        value = neutralize_cell(_XML_ILLEGAL.sub("", str(value)))
    if isinstance(value, str) or value is None or isinstance(value, bool):
        number_format = None
    if number_format is None and not bold:
        return value
    cell = WriteOnlyCell(ws, value=value)
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = _BOLD
    return cell


def xlsx_bytes(
    sheet_title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    totals: Sequence[Any] | None = None,
    column_formats: dict[int, str] | None = None,
) -> bytes:
    """Build an XLSX file with a streaming (write-only) workbook and return its bytes.

    Bold header frozen below row 1, real numbers and dates (``yyyy-mm-dd``), ``Decimal``
    amounts as numbers formatted ``#,##0.00``, and an optional bold totals row.
    ``column_formats`` maps a 0-based column index to a number format for numeric and
    date cells of that column.
    """
    formats = column_formats or {}
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_sheet_title(sheet_title))
    ws.freeze_panes = "A2"  # supported in write-only mode; set before the first row
    for index, title in enumerate(header):
        width = min(max(len(str(title)) + 4, 14), 50)
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    ws.append([_xlsx_cell(ws, title, None, True) for title in header])
    for row in rows:
        ws.append([_xlsx_cell(ws, v, formats.get(i), False) for i, v in enumerate(row)])
    if totals is not None:
        ws.append([_xlsx_cell(ws, v, formats.get(i), True) for i, v in enumerate(totals)])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


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
    # (evening, walkers, hours, "räknas" or why not), one per approved walk of the period
    walks: Sequence[tuple[str, str, str, str]] = ()


def amount_label(amount_ore: int) -> str:
    """What the bottom line says: money to the association, or money back from it."""
    return "Att återbetala" if amount_ore < 0 else "Att betala"


_PDF_ENCODING = "windows-1252"
_REPLACEMENTS = str.maketrans({"\u2212": "-", "\u2009": " ", "\u202f": " ", "\u200b": ""})


def pdf_safe(text: str) -> str:
    """Make arbitrary text printable with the PDF core fonts (Windows-1252).

    å, ä, ö, é, – and € survive; anything else (emoji, CJK) becomes "?".
    """
    text = unicodedata.normalize("NFC", str(text)).translate(_REPLACEMENTS)
    text = "".join(ch if ch in "\n\t" or ch.isprintable() else "?" for ch in text)
    return text.encode(_PDF_ENCODING, errors="replace").decode(_PDF_ENCODING)


def _statement_page(pdf: FPDF, st: Statement) -> None:
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(width, 6, pdf_safe(f"{st.sponsor_name} · {st.run_label}"), **_NEXT)
    pdf.ln(4)
    if st.draft:
        pdf.set_font("Helvetica", "B", 18)
        pdf.set_text_color(166, 27, 27)
        pdf.multi_cell(width, 9, pdf_safe("UTKAST – inte godkänt, betala inte ut"), **_NEXT)
        pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(width, 8, pdf_safe("Utbetalningsunderlag"), **_NEXT)
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(width, 7, pdf_safe(st.association_name), **_NEXT)
    pdf.set_font("Helvetica", "", 11)
    for label, value in (
        ("Utfärdat", st.issued_on.isoformat() if st.issued_on else ""),
        ("Avtal", st.agreement_name),
        ("Organisationsnummer", st.org_number),
        ("Konto", st.account_label),
        ("Period", st.period_label),
    ):
        if value:
            _pair(pdf, label, value)
    pdf.ln(4)
    for label, value in st.lines:
        _pair(pdf, label, value)
    if st.walks:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 10)
        for text, w in (("Kväll", 30), ("Vandrare", 25), ("Timmar", 25), ("", 0)):
            pdf.cell(w or pdf.epw - 80, 6, pdf_safe(text or "Ersätts"))
        pdf.ln(6)
        pdf.set_font("Helvetica", "", 10)
        for evening, walkers, hours_text, note in st.walks:
            pdf.cell(30, 5, pdf_safe(evening))
            pdf.cell(25, 5, pdf_safe(walkers))
            pdf.cell(25, 5, pdf_safe(hours_text))
            pdf.multi_cell(pdf.epw - 80, 5, pdf_safe(note), **_NEXT)
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 10)
    pdf.multi_cell(width, 5, pdf_safe(st.explanation), **_NEXT)
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 14)
    _pair(pdf, amount_label(st.amount_ore), format_sek(abs(st.amount_ore)))
    pdf.ln(8)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        width,
        5,
        pdf_safe(
            "Ersättningen betalas till föreningens konto ovan, aldrig till enskilda vandrare."
        ),
        **_NEXT,
    )


_NEXT = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


def _pair(pdf: FPDF, label: str, value: str) -> None:
    pdf.cell(60, 7, pdf_safe(label))
    pdf.multi_cell(pdf.epw - 60, 7, pdf_safe(value), **_NEXT)


def statement_pdf(statements: Sequence[Statement]) -> bytes:
    """Render one A4 page per statement with the PDF core fonts; returns the PDF bytes.

    Names with characters outside Windows-1252 (emoji, ...) are printed with "?" instead of
    failing. With no statements the PDF holds a single page saying so.
    """
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = _PDF_ENCODING
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(pdf_safe("Utbetalningsunderlag"))
    pdf.set_creator("Nattvandring")
    for statement in statements:
        _statement_page(pdf, statement)
    if not statements:
        pdf.add_page()
        pdf.set_font("Helvetica", "", 12)
        pdf.cell(pdf.epw, 8, pdf_safe("Inga utbetalningar i denna körning."), **_NEXT)
    return bytes(pdf.output())
