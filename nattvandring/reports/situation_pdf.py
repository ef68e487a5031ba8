"""The lägesbild as a PDF for the Brå meeting: the period, the figures, the chart per month,
the tables per category, area and month, and the unsafe places with their status.

Built on ``nattvandring.pdf`` (the same helpers as the payout statements). Texts are in the
request's language, like the page.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..formatting import hours_text
from ..i18n import _
from ..pdf import bar_chart, line, new_document, pair, table
from .charts import month_labels
from .models import UnsafePlaceStatus
from .situation import CATEGORY_LABELS, PLACE_STATUS_LABELS, Situation


def situation_pdf(
    report: Situation, *, places: Sequence[str], area_name: str | None, issued: str
) -> bytes:
    """``places``: the municipalities' names; ``area_name``: the chosen area, if any."""
    pdf = new_document(_("Lägesbild"))
    pdf.add_page()
    line(pdf, _("Lägesbild"), size=18, style="B", height=9)
    line(pdf, ", ".join(places), size=12, style="B")
    pdf.set_font("Helvetica", "", 11)
    pair(pdf, _("Period"), f"{report.start.isoformat()} – {report.end.isoformat()}")
    pair(pdf, _("Område"), area_name or _("Alla"))
    pair(pdf, _("Utskriven"), issued)
    line(pdf, _("Bygger på godkända rapporter. En vandrare är en person på en vandring."), size=9)
    pdf.ln(3)

    total = report.total
    line(pdf, _("Summering"), size=13, style="B", height=8)
    pdf.set_font("Helvetica", "", 11)
    for label, value in (
        (_("Vandringar"), str(total.walks)),
        (_("Vandrare"), str(total.walkers)),
        (_("Volontärtid"), hours_text(total.minutes)),
        (_("Unga mötta"), str(total.young_people)),
        (_("Incidenter"), str(total.incident_total)),
        (_("Otrygga platser"), str(total.places)),
    ):
        pair(pdf, label, value)
    pdf.ln(3)

    line(pdf, _("Vandringar och incidenter per månad"), size=13, style="B", height=8)
    bar_chart(
        pdf,
        labels=month_labels([month for month, _f in report.months]),
        series=[
            (_("Vandringar"), [f.walks for _m, f in report.months]),
            (_("Incidenter"), [f.incident_total for _m, f in report.months]),
        ],
    )

    line(pdf, _("Incidenter per kategori"), size=13, style="B", height=8)
    table(
        pdf,
        [_("Kategori"), _("Antal")],
        [(str(label), str(total.incidents.get(key, 0))) for key, label in CATEGORY_LABELS.items()],
        [60, 30],
    )
    pdf.ln(4)

    pdf.add_page()
    line(pdf, _("Per område"), size=13, style="B", height=8)
    figures_header = [_("Vandringar"), _("Vandrare"), _("Unga mötta"), _("Incidenter")]
    if report.areas:
        table(
            pdf,
            [_("Område"), *figures_header, _("Otrygga platser")],
            [
                (
                    area.name,
                    str(f.walks),
                    str(f.walkers),
                    str(f.young_people),
                    str(f.incident_total),
                    str(f.places),
                )
                for area, f in report.areas
            ],
            [50, 24, 24, 26, 24, 30],
        )
    else:
        line(pdf, _("Inga godkända vandringar i perioden."), size=10)
    pdf.ln(4)
    line(pdf, _("Per månad"), size=13, style="B", height=8)
    table(
        pdf,
        [_("Månad"), *figures_header],
        [
            (
                month.strftime("%Y-%m"),
                str(f.walks),
                str(f.walkers),
                str(f.young_people),
                str(f.incident_total),
            )
            for month, f in report.months
        ],
        [40, 30, 30, 30, 30],
    )

    pdf.add_page()
    line(pdf, _("Otrygga platser"), size=13, style="B", height=8)
    counts = " · ".join(
        f"{label}: {report.places_by_status.get(status, 0)}"
        for status, label in PLACE_STATUS_LABELS.items()
    )
    line(pdf, counts, size=10)
    pdf.ln(2)
    if report.places:
        table(
            pdf,
            [_("Kväll"), _("Område"), _("Status"), _("Plats och beskrivning")],
            [
                (
                    evening.isoformat(),
                    area.name,
                    str(PLACE_STATUS_LABELS[UnsafePlaceStatus(place.status)]),
                    ", ".join(part for part in (place.place, place.description) if part),
                )
                for place, area, evening in report.places
            ],
            [26, 40, 34, 0],
        )
    else:
        line(pdf, _("Inga otrygga platser i perioden."), size=10)
    return bytes(pdf.output())
