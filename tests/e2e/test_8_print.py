"""The lägesbild goes to the Brå meeting: printed (print emulation: no menu, no filters, no
buttons, a page per section; screenshots in docs/screenshots/) and as a PDF download.

Needs only the demo data (its finished spring of 2025), so it also runs alone."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pypdf

from .checks import screenshot
from .story import AFTER_THE_WALK, COORDINATOR, log_in

DOCS = Path(__file__).parents[2] / "docs" / "screenshots"
PERIOD = "from=2025-01-01&to=2025-12-31"


def test_the_lagesbild_prints_without_menu_or_filters(people, served):
    served.at(AFTER_THE_WALK)
    coordinator = people.desktop()
    page = coordinator.page
    log_in(coordinator, served, COORDINATOR)
    coordinator.open(served.url(f"/lagesbild?{PERIOD}"))
    menu = page.get_by_role("navigation", name="Huvudmeny")
    filters = page.locator("form.filters")
    pdf_link = page.get_by_role("link", name="Ladda ner PDF")
    for shown in (menu, filters, pdf_link):
        assert shown.is_visible()

    page.emulate_media(media="print")
    try:
        for hidden in (menu, filters, pdf_link, page.locator("header.site-header")):
            assert not hidden.is_visible()
        assert not page.locator("footer.site-footer").is_visible()
        assert page.get_by_role("heading", name="Lägesbild").is_visible()
        assert page.get_by_text("2025-01-01 – 2025-12-31").is_visible()  # the period, as text
        assert page.locator("figure.chart-figure svg").is_visible()
        assert page.get_by_role("heading", name="Otrygga platser").is_visible()
        breaks = page.eval_on_selector_all(
            "section.print-section",
            "sections => sections.map(s => getComputedStyle(s).breakBefore)",
        )
        assert breaks == ["auto", "page", "page", "page"]
        # Every month of the year has its label under the chart, the empty ones too.
        labels = page.locator("figure.chart-figure svg text tspan[dy='0']").all_inner_texts()
        assert len(labels) == 12
        shot = screenshot(page, "situation-report-print")
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, DOCS / "situation-report-print.png")
        printed = page.pdf(format="A4", print_background=False)
    finally:
        page.emulate_media(media="screen")
    reader = pypdf.PdfReader(io.BytesIO(printed))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Lägesbild" in text
    for absent in ("Logga ut", "Huvudmeny", "Filtrera", "Ladda ner CSV", "Ladda ner PDF"):
        assert absent not in text, absent
    # A page per section (four), unless a section runs over a page.
    assert len(reader.pages) >= 4

    download = coordinator.download(pdf_link)
    assert download.suggested_filename == "lagesbild-2025-01-01-2025-12-31.pdf"
    document = pypdf.PdfReader(download.path())
    content = "\n".join(p.extract_text() for p in document.pages)
    assert "2025-01-01 – 2025-12-31" in " ".join(content.split())
    assert "Otrygga platser" in content and "Hässleholm" in content
