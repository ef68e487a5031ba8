"""The lägesbild as a PDF (read back with pypdf) and printed (the page's print layout)."""

from __future__ import annotations

import io
import re

import pypdf

from tests.factories import login
from tests.support.queries import count_queries

from .conftest import march_world

URL = "/lagesbild.pdf?from=2025-11-01&to=2026-04-30"


def _text(body: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_has_the_period_the_figures_the_chart_and_the_places(client, db, world):
    march_world(db, world)
    db.commit()
    login(client, world.emails["coord_h"])
    response = client.get(URL)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "lagesbild-2025-11-01-2026-04-30.pdf" in response.headers["Content-Disposition"]
    text = _text(response.get_data())
    flat = " ".join(text.split())
    assert "Lägesbild" in text and "Hässleholm" in text
    assert "2025-11-01 – 2026-04-30" in flat
    # The figures: three approved walks (two in March, one in April), 59 young people met.
    assert re.search(r"Vandringar\s*3\b", text)
    assert re.search(r"Unga mötta\s*65\b", text)
    assert re.search(r"Incidenter\s*5\b", text)
    # The chart labels every month, the empty ones too, with the year under the first
    # month and under January.
    for month in ("nov", "dec", "jan", "feb", "mar", "apr"):
        assert re.search(rf"\b{month}", text), month  # Babel's short names: "mars"…
    assert "2025" in text and "2026" in text
    # The unsafe places with their status.
    assert "Trasig lampa" in text and "Vidarebefordrad" in text
    assert "Mörk cykelparkering" in text and "Rapporterad" in text
    assert "Våld" in text and "Alkohol" in text


def test_the_pdf_is_the_coordinators_own_municipality(client, db, world):
    march_world(db, world)
    db.commit()
    login(client, world.emails["leader_a"])
    assert client.get(URL).status_code == 403
    client.post("/logout")
    login(client, world.emails["coord_b"])
    text = _text(client.get(URL).get_data())
    assert "Bjuv" in text and "Trasig lampa" not in text
    assert re.search(r"Vandringar\s*1\b", text)


def test_the_pdf_and_the_page_cost_the_same_queries_whatever_the_period_holds(
    app, client, db, world
):
    march_world(db, world)
    db.commit()
    login(client, world.emails["coord_h"])
    for path in ("/lagesbild.pdf", "/lagesbild"):
        counts = []
        for period in ("from=2026-04-01&to=2026-04-30", "from=2026-03-01&to=2026-04-30"):
            with count_queries(app) as counter:
                assert client.get(f"{path}?{period}").status_code == 200
            counts.append(len(counter.executed))
        assert counts[0] == counts[1], (path, counts)


def test_the_page_links_the_pdf_and_prints_in_sections(client, db, world):
    march_world(db, world)
    db.commit()
    login(client, world.emails["coord_h"])
    html = client.get("/lagesbild?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    assert 'href="/lagesbild.pdf?from=2026-03-01&amp;to=2026-03-31"' in html
    assert html.count('class="print-section"') == 4
    assert "2026-03-01 – 2026-03-31" in html  # the period is printed (the filters are not)
