"""Chart month labels are in the reader's language (Babel), every month named."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale

from nattvandring.reports.charts import month_label


def test_month_labels_in_swedish_are_lowercase(app):
    with app.test_request_context():
        assert month_label(date(2027, 1, 1)) == "jan 2027"
        assert month_label(date(2026, 5, 1)) == "maj 2026"
        assert month_label(date(2026, 10, 1)) == "okt 2026"


def test_month_labels_in_english(app):
    with app.test_request_context(), force_locale("en"):
        assert month_label(date(2027, 1, 1)) == "Jan 2027"
        assert month_label(date(2026, 5, 1)) == "May 2026"
        assert month_label(date(2026, 10, 1)) == "Oct 2026"


def test_bar_values_use_the_reader_s_decimal_separator(app):
    from decimal import Decimal

    from nattvandring.reports.charts import bar_chart

    def chart() -> str:
        return bar_chart(
            title="t", description="d", labels=["jan"], series=[("h", [Decimal("3.75")])]
        )

    with app.test_request_context():
        assert "3,8" in chart()
        with force_locale("en"):
            assert "3.8" in chart() and "3,8" not in chart()
