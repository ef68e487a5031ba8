"""The public, on a phone, without an account: the home page lists this week's nights per
municipality, Hässleholm's page shows the nights, the meeting points with map links, how to
join and the calendar links (the feed they point to is a real calendar); then a municipal
website embeds the widget in an iframe, which shows the coming nights and runs no script.

Needs no earlier journey: it reads the demo data as served (run it alone with
``pytest tests/e2e/test_8_public.py``)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from icalendar import Calendar

from .checks import screenshot
from .story import AFTER_THE_WALK, MUNICIPALITY


@contextmanager
def kommun_site(page_html: str) -> Iterator[str]:
    """A municipality's own website: another origin (its own port on 127.0.0.1) serving one
    page. (A page the browser answers itself would be a public context, which Chromium does
    not let frame a loopback address at all.)"""
    body = page_html.encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/trygghet"
    finally:
        server.shutdown()
        server.server_close()


def test_public_home_municipality_and_feed(people, served):
    served.at(AFTER_THE_WALK)
    keys = people.phone()
    page = keys.page
    keys.open(served.url("/"))
    week = page.locator(
        "section", has=page.get_by_role("heading", name="Nattvandring den här veckan")
    )
    assert week.is_visible()
    line = week.locator("li").filter(has_text=MUNICIPALITY)
    assert re.search(r"\d+ bevakade? kvälla?r?, \d+ obevakade?", line.inner_text()), (
        line.inner_text()
    )
    screenshot(page, "public-home-phone")
    keys.follow(line.get_by_role("link", name=MUNICIPALITY))
    assert page.url == served.url("/kommun/hassleholm")
    assert page.get_by_role("heading", name=f"Nattvandring i {MUNICIPALITY}").is_visible()

    # Meeting points with map links.
    places = page.locator("ul.meeting-points > li")
    assert places.count() >= 1
    geo = places.first.get_by_role("link", name="Öppna i kartappen")
    assert re.fullmatch(r"geo:\d+\.\d+,\d+\.\d+", geo.get_attribute("href") or "")
    osm = places.first.get_by_role("link", name="Visa på OpenStreetMap")
    assert (osm.get_attribute("href") or "").startswith("https://www.openstreetmap.org/?mlat=")

    # How to join, with the associations that walk here.
    join = page.locator("section", has=page.get_by_role("heading", name="Vill du nattvandra?"))
    assert join.get_by_text("IFK Hässleholm").is_visible()
    assert join.get_by_role("link", name="Registrera din förening").is_visible()

    # The calendar: a webcal link to subscribe, and the https feed it names is a calendar.
    subscribe = page.get_by_role("link", name="Prenumerera på kalendern")
    webcal = subscribe.get_attribute("href") or ""
    https = page.get_by_role("link", name="Ladda ner kalenderfil (.ics)").get_attribute("href")
    assert webcal.startswith("webcal://") and https
    assert webcal.removeprefix("webcal://") == https.split("://", 1)[1]
    keys.focus(subscribe)  # reachable with the keyboard
    feed = requests.get(https, timeout=10)
    assert feed.status_code == 200
    assert feed.headers["Content-Type"].startswith("text/calendar")
    assert Calendar.from_ical(feed.content).walk("VEVENT")

    # The per-area feeds behind a disclosure, opened with the keyboard.
    keys.press(page.locator("details.area-feeds > summary"))
    area_links = page.locator("details.area-feeds li")
    assert area_links.count() >= 1
    area_webcal = area_links.first.get_by_role("link", name="Prenumerera")
    assert area_webcal.is_visible()
    area_https = area_links.first.get_by_role("link", name="Ladda ner (.ics)").get_attribute("href")
    assert re.search(r"/feeds/kommun/hassleholm/\d+\.ics$", area_https or "")
    assert requests.get(area_https, timeout=10).status_code == 200
    screenshot(page, "public-municipality-phone")


def test_a_municipal_website_embeds_the_widget(people, served):
    served.at(AFTER_THE_WALK)
    keys = people.phone()
    page = keys.page
    widget_url = served.url("/kommun/hassleholm/widget")

    # The widget alone passes the checks (axe, 390 px).
    keys.open(widget_url)
    assert page.get_by_role("heading", name=f"Nattvandring i {MUNICIPALITY}").is_visible()
    assert page.evaluate("document.scripts.length") == 0

    # Framed by another site.
    host_page = (
        "<!doctype html><html lang='sv'><head><title>Kommunen</title></head><body>"
        "<main><h1>Trygghet i kommunen</h1>"
        f"<iframe title='Nattvandring' src='{widget_url}' width='360' height='480'></iframe>"
        f"<iframe title='Sidan' src='{served.url('/kommun/hassleholm')}'></iframe>"
        "</main></body></html>"
    )
    with kommun_site(host_page) as site:
        assert site.split("/")[2] != widget_url.split("/")[2]  # another origin
        page.goto(site)
        _check_framed_widget(page, served, widget_url)


def _check_framed_widget(page, served, widget_url: str) -> None:
    frame = page.frame_locator("iframe[title='Nattvandring']")
    heading = frame.get_by_role("heading", name=f"Nattvandring i {MUNICIPALITY}")
    heading.wait_for()
    [widget] = [f for f in page.frames if f.url == widget_url]
    assert widget.evaluate("document.scripts.length") == 0
    nights = frame.locator(".widget-days li li")
    states = {text.strip() for text in frame.locator(".widget-days .state").all_inner_texts()}
    assert nights.count() >= 1 and states <= {"Bevakad", "Söker förening"}, states
    more = frame.get_by_role("link", name=f"Mer om nattvandring i {MUNICIPALITY}")
    assert more.get_attribute("target") == "_blank"
    assert more.get_attribute("href") == served.url("/kommun/hassleholm")
    screenshot(page, "public-widget-framed", full_page=False)
    # Every other page still refuses to be framed (X-Frame-Options DENY, frame-ancestors).
    handle = page.locator("iframe[title='Sidan']").element_handle()
    assert handle is not None
    refused = handle.content_frame()
    assert refused is not None
    refused.wait_for_load_state()
    assert refused.get_by_role("heading", name=f"Nattvandring i {MUNICIPALITY}").count() == 0
