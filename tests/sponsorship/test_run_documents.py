"""A draft run's documents say so, and each format and variant has its own file name."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pypdf

from nattvandring import clock
from nattvandring.sponsorship import services_runs as runs

from .conftest import agreement, login_as, walk

ADULTS = [1980, 1981, 1982]


def _draft_run(session, world, place):
    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    deal = agreement(session, world)
    walk(session, **place["assoc_a"], evening=date(2026, 3, 6), birth_years=ADULTS)
    run = runs.create_run(
        session,
        agreement=deal,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        actor_id=None,
    )
    session.commit()
    return run


def _file_name(response) -> str:
    return response.headers["Content-Disposition"]


def test_a_draft_is_marked_in_every_format_and_every_file_name_differs(client, db, world, place):
    run = _draft_run(db, world, place)
    login_as(client, world.emails["liaison"])
    base = f"/sponsorship/runs/{run.id}/export"

    pdf = client.get(f"{base}.pdf")
    assert pdf.status_code == 200
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    assert "UTKAST / DRAFT" in text
    assert "Att betala" in text

    # The CSV streams: read each answer before the next request.
    excel_csv = client.get(f"{base}.csv")
    assert "UTKAST / DRAFT" in excel_csv.get_data().decode("utf-8-sig")
    plain_csv = client.get(f"{base}.csv?dialect=plain")
    assert "UTKAST / DRAFT" in plain_csv.get_data().decode("utf-8")
    xlsx = client.get(f"{base}.xlsx")
    assert xlsx.status_code == 200

    names = {_file_name(r) for r in (pdf, excel_csv, plain_csv, xlsx)}
    assert len(names) == 4, names
    assert all("utkast" in name for name in names), names
