"""The app's cache (web/caching.py): on by default, QR codes drawn once per URL, NullCache
turns it off."""

from __future__ import annotations

from nattvandring.calendars import qr
from nattvandring.web import caching


def test_caching_is_on_by_default(app):
    assert type(app.extensions["cache"][caching.cache]).__name__ == "SimpleCache"


def test_the_qr_code_is_drawn_once_per_url(app, monkeypatch):
    drawn: list[str] = []
    real = qr._draw

    def counting(data: str, title: str):
        drawn.append(data)
        return real(data, title)

    monkeypatch.setattr(qr, "_draw", counting)
    with app.app_context():
        first = qr.qr_svg("webcal://localhost/feeds/personal/abc.ics", title="QR")
        again = qr.qr_svg("webcal://localhost/feeds/personal/abc.ics", title="QR")
        other = qr.qr_svg("webcal://localhost/feeds/personal/xyz.ics", title="QR")
    assert first == again and first != other
    assert drawn == [
        "webcal://localhost/feeds/personal/abc.ics",
        "webcal://localhost/feeds/personal/xyz.ics",
    ]
    assert "<svg" in str(first)


def test_null_cache_turns_caching_off(tmp_path):
    from tests.support.database import make_test_app

    app = make_test_app(tmp_path, CACHE_TYPE="NullCache")
    assert type(app.extensions["cache"][caching.cache]).__name__ == "NullCache"
    with app.app_context():
        assert "<svg" in str(qr.qr_svg("https://localhost/x"))
