"""Server-rendered SVG bar charts (no JavaScript), accessible with a title and description.

Pure: labels and numbers in, an SVG string out. Every text is escaped. Pages show the same
numbers in a table next to the chart, so the chart is a visual aid and not the only source.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from babel.dates import format_date

from ..formatting import axis_top, chart_number, current_language

PALETTE = ("#0b5394", "#b45f06", "#38761d", "#741b47", "#134f5c", "#7f6000", "#666666")
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 72
LINE = 13  # a label's second line (the year) sits this far below its first
GLYPH = 0.6  # a glyph's average width in em: "sep" at 11 px is about 20 px wide


def bar_chart(
    *,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | int | Decimal]]],
    chart_id: str = "chart",
) -> str:
    """Grouped bars: one group per label, one bar per series, with a legend and y-axis."""
    values = [float(v) for _, data in series for v in data]
    top = axis_top(max(values, default=0))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    groups = max(len(labels), 1)
    group_w = plot_w / groups
    bar_w = max(group_w * 0.8 / max(len(series), 1), 1)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} '
        f'{HEIGHT + 22 * ((len(series) + 2) // 3)}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
    ]
    for tick in range(5):
        value = top * tick / 4
        y = TOP + plot_h - plot_h * tick / 4
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="#c9ced6" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#4a5568">{chart_number(value)}</text>'
        )
    for g, label in enumerate(labels):
        x0 = LEFT + g * group_w + group_w * 0.1
        for s, (name, data) in enumerate(series):
            value = float(data[g]) if g < len(data) else 0.0
            h = plot_h * value / top if top else 0
            x = x0 + s * bar_w
            y = TOP + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(bar_w - 1, 1):.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[s % len(PALETTE)]}">'
                f"<title>{escape(name)}, {escape(label)}: {chart_number(value)}</title></rect>"
            )
        parts.append(_label(LEFT + g * group_w + group_w / 2, TOP + plot_h + 16, label, group_w))
    for s, (name, _data) in enumerate(series):
        lx = LEFT + (s % 3) * 190
        ly = HEIGHT - 22 + 22 * (s // 3)
        parts.append(
            f'<rect x="{lx}" y="{ly}" width="12" height="12" '
            f'fill="{PALETTE[s % len(PALETTE)]}"/>'
            f'<text x="{lx + 18}" y="{ly + 11}" font-size="12" fill="#14213d">'
            f"{escape(name[:28])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _label(x: float, y: float, label: str, group_w: float) -> str:
    """A group's label, one <tspan> per line ("\n" splits: "jan" over "2026"), set small
    enough that its lines fit their group (a year becomes "’26" when even that is too wide)."""
    lines = label.split("\n")

    def fits(size: int) -> bool:
        return all(len(text) * size * GLYPH < group_w for text in lines)

    size = 11
    while size > 7 and not fits(size):
        size -= 1
    if not fits(size):
        lines = [f"’{t[2:]}" if len(t) == 4 and t.isdigit() else t for t in lines]
    while size > 5 and not fits(size):
        size -= 1
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if n == 0 else LINE}">{escape(text)}</tspan>'
        for n, text in enumerate(lines)
    )
    return (
        f'<text x="{x:.1f}" y="{y}" text-anchor="middle" font-size="{size}" '
        f'fill="#14213d">{spans}</text>'
    )


def month_labels(months: Sequence) -> list[str]:
    """One label per month, every month included: its short name, with the year on a second
    line under the first month and under each January ("jan\n2026", "feb", …)."""
    labels = []
    for index, month in enumerate(months):
        name, _, year = month_label(month).rpartition(" ")
        labels.append(f"{name}\n{year}" if index == 0 or month.month == 1 else name)
    return labels


def month_label(month) -> str:
    """Short month label in the reader's language (Babel): 2027-03-01 -> 'mar 2027' in
    Swedish, 'Mar 2027' in English."""
    name = format_date(month, "LLL", locale=current_language()).rstrip(".")
    return f"{name} {month.year}"
