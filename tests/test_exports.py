"""CSV and XLSX downloads (nattvandring.exports): Excel dialects, types, formula neutralising."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest

from nattvandring.exports import (
    content_disposition,
    csv_rows,
    neutralize_cell,
    ore_to_kronor,
    xlsx_bytes,
)

EVIL = '=HYPERLINK("http://x")'
HEADER = ["Förening", "Vandringar", "Belopp (kr)", "Senaste vandring"]
ROWS = [
    ["IK Göinge", 8, ore_to_kronor(1_200_000), date(2026, 5, 8)],
    [EVIL, 3, Decimal("450.50"), date(2026, 6, 12)],
    ['Scouterna; Vä "kåren"', 0, Decimal("0.00"), None],
]


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralize_prefixes_dangerous_strings(prefix):
    assert neutralize_cell(prefix + "1+1") == "'" + prefix + "1+1"


def test_ore_to_kronor_is_exact():
    assert str(ore_to_kronor(1_200_000)) == "12000.00"
    assert str(ore_to_kronor(-5)) == "-0.05"
    with pytest.raises(ValueError):
        ore_to_kronor(12.5)


def test_neutralize_leaves_other_values_alone():
    assert neutralize_cell("Hässleholm") == "Hässleholm"
    assert neutralize_cell("a=b") == "a=b"
    assert neutralize_cell(-5) == -5
    assert neutralize_cell(Decimal("-1.50")) == Decimal("-1.50")
    assert neutralize_cell(None) is None


def _read(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def test_csv_excel_sv_has_bom_semicolons_and_decimal_commas():
    chunks = list(csv_rows(HEADER, ROWS, dialect="excel_sv"))
    assert chunks[0] == "\ufeff"
    assert len(chunks) == 1 + 1 + len(ROWS)  # BOM, header, one chunk per row
    raw = "".join(chunks).encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == 4
    rows = _read(raw.decode("utf-8-sig"), ";")
    assert rows == [
        HEADER,
        ["IK Göinge", "8", "12000,00", "2026-05-08"],
        ["'" + EVIL, "3", "450,50", "2026-06-12"],
        ['Scouterna; Vä "kåren"', "0", "0,00", ""],
    ]


def test_csv_plain_has_commas_dots_and_no_bom():
    text = "".join(csv_rows(HEADER, ROWS, dialect="plain"))
    assert not text.startswith("\ufeff")
    rows = _read(text, ",")
    assert rows[1] == ["IK Göinge", "8", "12000.00", "2026-05-08"]
    assert rows[2][0] == "'" + EVIL
    assert rows[2][2] == "450.50"


def test_csv_numbers_stay_numbers_and_datetimes_are_local():
    rows = [[-1500, Decimal("-12.5"), datetime(2026, 5, 8, 19, 0, tzinfo=UTC), True]]
    text = "".join(csv_rows(["a", "b", "c", "d"], rows, dialect="excel_sv"))
    assert _read(text.removeprefix("\ufeff"), ";")[1] == [
        "-1500",
        "-12,5",
        "2026-05-08 21:00",
        "ja",
    ]


def test_csv_streams_without_consuming_all_rows():
    endless = ([i, "x"] for i in itertools.count())
    first = list(itertools.islice(csv_rows(["n", "s"], endless, dialect="plain"), 3))
    assert first == ["n,s\r\n", "0,x\r\n", "1,x\r\n"]


def test_csv_unknown_dialect():
    with pytest.raises(ValueError):
        next(csv_rows(["a"], [], dialect="excel_us"))


def _sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_xlsx_types_formats_header_and_totals():
    totals = ["Summa", 11, Decimal("12450.50"), None]
    data = xlsx_bytes("Utbetalning 2026", HEADER, ROWS, totals=totals, column_formats={1: "0"})
    ws = _sheet(data)
    assert ws.title == "Utbetalning 2026"
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == HEADER
    assert all(c.font.b for c in ws[1])
    assert ws.column_dimensions["A"].width >= 14

    assert ws["A2"].value == "IK Göinge"
    assert ws["B2"].data_type == "n" and ws["B2"].value == 8
    assert ws["B2"].number_format == "0"
    assert ws["C2"].data_type == "n" and ws["C2"].value == 12000
    assert ws["C2"].number_format == "#,##0.00"
    assert ws["C3"].value == pytest.approx(450.5)
    assert ws["D2"].is_date and ws["D2"].value.date() == date(2026, 5, 8)
    assert ws["D2"].number_format == "yyyy-mm-dd"
    assert ws["D4"].value is None

    assert ws.max_row == 1 + len(ROWS) + 1
    last = ws[ws.max_row]
    assert [c.value for c in last[:3]] == ["Summa", 11, 12450.5]
    assert last[0].font.b and last[2].number_format == "#,##0.00"


def test_xlsx_neutralizes_formula_strings():
    ws = _sheet(xlsx_bytes("Föreningar", HEADER, ROWS, totals=None, column_formats=None))
    cell = ws["A3"]
    assert cell.value == "'" + EVIL
    assert cell.data_type == "s"
    assert ws["C3"].value == pytest.approx(450.5)  # numbers are not touched


def test_xlsx_cleans_titles_control_characters_and_local_times():
    rows = [["bad\x07name", datetime(2026, 10, 24, 20, 0, tzinfo=UTC)]]
    ws = _sheet(xlsx_bytes("Q1/Q2: [test]*" * 3, ["Namn", "Start"], rows, totals=None))
    assert len(ws.title) <= 31 and "/" not in ws.title
    assert ws["A2"].value == "badname"
    assert ws["B2"].value == datetime(2026, 10, 24, 22, 0)  # Stockholm summer time
    assert ws["B2"].number_format == "yyyy-mm-dd hh:mm"


def test_the_ascii_file_name_keeps_a_date_range_apart():
    header = content_disposition("timmar-2026-01-01–2026-12-31.csv")
    assert header.startswith('attachment; filename="timmar-2026-01-01_2026-12-31.csv"')
    assert "filename*=UTF-8''timmar-2026-01-01%E2%80%932026-12-31.csv" in header
