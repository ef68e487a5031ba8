"""PDF documents with fpdf2: the one home of the helpers every PDF uses.

Payout statements (``sponsorship/exports.py``) and the lägesbild (``reports/situation_pdf.py``)
build on these. Pure: text and numbers in, bytes out; no database, no Flask. The core fonts
(Helvetica) need Windows-1252, so every text passes through ``pdf_safe``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import Decimal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .formatting import axis_top, chart_number

ENCODING = "windows-1252"
_REPLACEMENTS = str.maketrans({"\u2212": "-", "\u2009": " ", "\u202f": " ", "\u200b": ""})
#: Bar colours (RGB), the same as the pages' SVG charts.
PALETTE = ((11, 83, 148), (180, 95, 6), (56, 118, 29), (116, 27, 71), (19, 79, 92))


def pdf_safe(text: str) -> str:
    """Make arbitrary text printable with the PDF core fonts (Windows-1252).

    å, ä, ö, é, – and € survive; anything else (emoji, CJK) becomes "?".
    """
    text = unicodedata.normalize("NFC", str(text)).translate(_REPLACEMENTS)
    text = "".join(ch if ch in "\n\t" or ch.isprintable() else "?" for ch in text)
    return text.encode(ENCODING, errors="replace").decode(ENCODING)


def new_document(title: str) -> FPDF:
    """An A4 document with automatic page breaks and the core fonts' encoding."""
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = ENCODING
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(pdf_safe(title))
    pdf.set_creator("Nattvandring")
    return pdf


def line(pdf: FPDF, text: str, *, size: float = 11, style: str = "", height: float = 6) -> None:
    """A paragraph over the full width (wrapped), then the next line."""
    pdf.set_font("Helvetica", style, size)
    pdf.multi_cell(pdf.epw, height, pdf_safe(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def pair(pdf: FPDF, label: str, value: str, *, label_width: float = 60) -> None:
    """A label and its value on one row (the value wraps)."""
    pdf.cell(label_width, 7, pdf_safe(label))
    pdf.multi_cell(pdf.epw - label_width, 7, pdf_safe(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def table(
    pdf: FPDF, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]
) -> None:
    """A simple table: a bold header row, then rows; the last column takes what is left and
    wraps. Columns after the first are right-aligned when they hold numbers."""
    widths = [*widths[:-1], pdf.epw - sum(widths[:-1])]
    pdf.set_font("Helvetica", "B", 10)
    for text, width in zip(header, widths, strict=True):
        pdf.cell(width, 6, pdf_safe(text))
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 10)
    for row in rows:
        if pdf.will_page_break(6):
            pdf.add_page()
        for index, (text, width) in enumerate(zip(row, widths, strict=True)):
            last = index == len(widths) - 1
            align = "R" if index and _numeric(text) else "L"
            if last:
                pdf.multi_cell(
                    width, 5, pdf_safe(text), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT
                )
            else:
                pdf.cell(width, 5, pdf_safe(text), align=align)


def _numeric(text: str) -> bool:
    return bool(text) and text.replace(" ", "").replace(",", "").replace("h", "").isdigit()


def bar_chart(
    pdf: FPDF,
    *,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | int | Decimal]]],
    height: float = 60,
) -> None:
    """Grouped bars over the full width: every label under its group (a label's lines are
    split on "\\n"; labels too wide for their group are set smaller), a y-axis with four
    steps, and a legend. Empty groups keep their place and their label."""
    values = [float(v) for _name, data in series for v in data]
    top = axis_top(max(values, default=0))
    left, x0, y0 = 12.0, pdf.l_margin + 12.0, pdf.get_y() + 3
    plot_w = pdf.epw - left
    if pdf.will_page_break(height + 30):
        pdf.add_page()
        y0 = pdf.get_y() + 3
    pdf.set_font("Helvetica", "", 8)
    pdf.set_draw_color(201, 206, 214)
    for tick in range(5):
        y = y0 + height - height * tick / 4
        pdf.line(x0, y, x0 + plot_w, y)
        pdf.text(pdf.l_margin, y + 1, chart_number(top * tick / 4))
    groups = max(len(labels), 1)
    group_w = plot_w / groups
    bar_w = group_w * 0.8 / max(len(series), 1)
    widest = max(
        (pdf.get_string_width(part) for lb in labels for part in lb.split("\n")), default=0
    )
    size = 8 if widest <= group_w * 0.95 else max(5.0, 8 * group_w * 0.95 / widest)
    for g, label in enumerate(labels):
        gx = x0 + g * group_w
        for s, (_name, data) in enumerate(series):
            value = float(data[g]) if g < len(data) else 0.0
            h = height * value / top
            pdf.set_fill_color(*PALETTE[s % len(PALETTE)])
            if h > 0:
                pdf.rect(gx + group_w * 0.1 + s * bar_w, y0 + height - h, bar_w, h, style="F")
        pdf.set_font("Helvetica", "", size)
        for n, part in enumerate(label.split("\n")):
            text = pdf_safe(part)
            pdf.text(
                gx + (group_w - pdf.get_string_width(text)) / 2, y0 + height + 4 + n * 3.5, text
            )
    pdf.set_y(y0 + height + 12)
    pdf.set_font("Helvetica", "", 9)
    for s, (name, _data) in enumerate(series):
        pdf.set_fill_color(*PALETTE[s % len(PALETTE)])
        pdf.rect(pdf.get_x(), pdf.get_y() + 1, 3, 3, style="F")
        pdf.set_x(pdf.get_x() + 4)
        pdf.cell(pdf.get_string_width(pdf_safe(name)) + 8, 5, pdf_safe(name))
    pdf.ln(8)
