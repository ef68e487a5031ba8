"""Writing CSV and XLSX files: streaming CSV, streaming (write-only) XLSX, the download header.

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
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .clock import to_local

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


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the RFC 5987 UTF-8 ``filename*``."""
    name = filename.replace("/", "-").replace("\\", "-")
    # Accents go (å -> a); any other character becomes "_" rather than vanishing, so that
    # "2026-01-01–2026-12-31" keeps its two dates apart.
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", plain).strip("._") or "export"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
