"""The sponsor liaison runs payouts, downloads the Excel file and checks its totals.

Two runs of the demo agreement (1 500 kr per approved walk with at least 3 walkers): the
first quarter, with the demo's approved spring walks, and April, whose only approved walk is
the one the journeys before this one booked, staffed, reported and approved.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from sqlmodel import select

from nattvandring.db import session_scope
from nattvandring.sponsorship.models import PayoutLine, PayoutRun

from .checks import screenshot
from .story import AGREEMENT, ASSOCIATION, PAYOUT_DAY, SPONSOR, log_in

AMOUNT_COLUMN = "Belopp (kr)"


def kronor(text: str) -> Decimal:
    """'12 345,50 kr' -> Decimal('12345.50')."""
    digits = re.sub(r"[^\d,-]", "", text).replace(",", ".")
    return Decimal(digits)


def run_payout(keys, first: date, last: date) -> int:
    page = keys.page
    menu = page.get_by_role("navigation", name="Huvudmeny")
    keys.follow(menu.get_by_role("link", name="Utbetalningar"))
    keys.follow(page.get_by_role("link", name=AGREEMENT))
    keys.date(page.get_by_label("Period från"), first)
    keys.date(page.get_by_label("Period till"), last)
    keys.follow(page.get_by_role("button", name="Beräkna utbetalning"))
    assert page.get_by_text("Utbetalningen är beräknad som utkast.").is_visible()
    run_id = int(page.url.rstrip("/").split("/")[-1])
    return run_id


def xlsx_checks_out(keys, tmp_path, run_id: int, served) -> list[tuple]:
    """The Excel file's lines add up to its totals row, to the page's total and to the run."""
    page = keys.page
    shown = kronor(page.locator("dt:has-text('Att betala totalt') + dd").inner_text())
    download = keys.download(page.get_by_role("link", name="Excel (XLSX)"))
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = load_workbook(path, read_only=True, data_only=True).active
    header, *lines, totals = list(sheet.values)
    amount = header.index(AMOUNT_COLUMN)
    in_file = sum((Decimal(str(row[amount])) for row in lines), Decimal(0))
    assert in_file == Decimal(str(totals[amount])) == shown, (in_file, totals[amount], shown)
    with session_scope(served.engine, write=False) as session:
        stored = session.exec(select(PayoutLine).where(PayoutLine.run_id == run_id)).all()
    assert sum(line.amount_ore for line in stored) == int(shown * 100)
    assert len(lines) == len(stored)
    return [dict(zip(header, row, strict=True)) for row in lines]


def approve(keys) -> None:
    """Lock the shown run: the run page links to a confirmation page, whose button locks."""
    keys.follow(keys.page.get_by_role("link", name="Godkänn och lås …"))
    assert keys.page.get_by_role("button", name="Godkänn och lås").is_visible()
    keys.follow(keys.page.get_by_role("button", name="Godkänn och lås"))


def test_sponsor_runs_payouts_and_the_excel_totals_add_up(people, served, story, tmp_path):
    served.at(PAYOUT_DAY)
    keys = people.desktop()
    page = keys.page
    log_in(keys, served, SPONSOR)

    spring = run_payout(keys, date(2026, 1, 1), date(2026, 3, 31))
    rows = page.locator("table.payout-lines tbody tr")
    assert rows.count() >= 2
    screenshot(page, "sponsor-payout-run")
    lines = xlsx_checks_out(keys, tmp_path, spring, served)
    assert all(line["Belopp (kr)"] == line["Vandringar"] * 1500 for line in lines)
    # Runs settle in date order: the spring run is approved (after its confirmation page)
    # before April's, which then pays only what April added.
    approve(keys)
    with session_scope(served.engine, write=False) as session:
        assert session.get(PayoutRun, spring).status == "approved"

    story.need("report_id")
    april = run_payout(keys, date(2026, 4, 1), date(2026, 4, 30))
    april_lines = xlsx_checks_out(keys, tmp_path, april, served)
    (line,) = [line for line in april_lines if line["Förening"] == ASSOCIATION]
    others = [line for line in april_lines if line["Förening"] != ASSOCIATION]
    assert {(other["Vandringar"], other["Belopp (kr)"]) for other in others} <= {(0, 0)}
    assert (line["Vandringar"], line["Vandrare"], line["Belopp (kr)"]) == (1, 3, 1500)
    # Two walked four hours, one went home at 23:30 (tests/e2e/test_4_after_the_walk.py).
    assert Decimal(str(line["Volontärtimmar"])) == Decimal("10.5")
    approve(keys)
    with session_scope(served.engine, write=False) as session:
        assert session.get(PayoutRun, april).status == "approved"
