"""Charts label every month, empty ones included, and labels never overlap."""

from __future__ import annotations

import re
from datetime import date

import pytest

from nattvandring.reports.charts import LEFT, RIGHT, WIDTH, bar_chart, month_labels
from nattvandring.reports.situation import months_between

# Helvetica-like glyphs average about 0.6 em; a label's line fits when narrower than its group.
EM = 0.6


def _months(first: date, last: date) -> list[date]:
    return months_between(first, last)


def test_month_labels_put_the_year_under_the_first_month_and_each_january():
    labels = month_labels(_months(date(2025, 11, 1), date(2026, 2, 1)))
    assert labels == ["nov\n2025", "dec", "jan\n2026", "feb"]


@pytest.mark.parametrize("count", [1, 6, 12, 24, 37])
def test_every_month_is_labelled_and_no_two_labels_touch(count):
    months = _months(date(2024, 1, 1), date(2030, 12, 1))[:count]
    values = [0] * count
    values[0] = 5  # every other month is empty and still gets its label
    svg = bar_chart(
        title="t",
        description="d",
        labels=month_labels(months),
        series=[("Vandringar", values)],
    )
    texts = re.findall(
        r'<text x="([0-9.]+)" y="[0-9.]+" text-anchor="middle" font-size="(\d+)" '
        r'fill="#14213d">(.*?)</text>',
        svg,
    )
    assert len(texts) == count
    group_w = (WIDTH - LEFT - RIGHT) / count
    for _x, size, spans in texts:
        lines = re.findall(r"<tspan[^>]*>([^<]+)</tspan>", spans)
        assert 1 <= len(lines) <= 2
        for line in lines:
            assert len(line) * int(size) * EM < group_w, (count, line, size)
    centres = [float(x) for x, _s, _t in texts]
    assert centres == sorted(centres)


def test_the_old_overlapping_labels_are_gone():
    svg = bar_chart(
        title="t",
        description="d",
        labels=month_labels(_months(date(2026, 1, 1), date(2026, 12, 1))),
        series=[("a", [1] * 12)],
    )
    assert "jan 2026" not in svg
    assert '<tspan x="' in svg and ">2026</tspan>" in svg
