"""The fast feed renderer writes exactly the bytes of the icalendar-based reference."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nattvandring.calendars.ical import CalendarEvent, render_feed
from nattvandring.calendars.ical_text import render_feed_fast

HOST = "nattvandring.example"
BASE = datetime(2026, 10, 24, 20, 0, 0, 123456, tzinfo=UTC)
# Text with everything that needs escaping or folding care: multi-byte, emoji, escapes.
TEXT = st.text(
    alphabet=st.sampled_from(list("aåÄö 🚶,;:\\^\"'\n\r\t\x85\u2028N€x-/"))
    | st.characters(exclude_categories=("Cs",)),
    max_size=400,
)


def calendar_events(text: st.SearchStrategy[str]) -> st.SearchStrategy[CalendarEvent]:
    return st.builds(
        CalendarEvent,
        shift_id=st.integers(1, 10_000),
        start=st.integers(0, 10_000).map(lambda m: BASE + timedelta(minutes=m)),
        end=st.integers(1, 900).map(lambda m: BASE + timedelta(minutes=10_000 + m)),
        summary=text,
        description=text,
        location=st.none() | text,
        geo=st.none() | st.tuples(st.floats(-90, 90), st.floats(-180, 180)),
        url=st.none() | st.just("https://example.org/kommun/h%C3%A4ssleholm") | text,
        status=st.sampled_from(["CONFIRMED", "TENTATIVE", "CANCELLED"]),
        sequence=st.integers(0, 50),
        last_modified=st.integers(0, 10**8).map(lambda s: BASE - timedelta(seconds=s)),
        alarm_minutes_before=st.none() | st.integers(0, 600),
    )


events = calendar_events(TEXT)
# A real feed's walks share most texts and many change times; the renderer works each
# distinct text out once per render, which these feeds exercise.
FEW_TEXTS = st.sampled_from(["", "Samling: Stationen", "a,b;c\\n\n d", "🚶 å " * 30, "x" * 80])
sharing_events = calendar_events(FEW_TEXTS).map(
    lambda event: replace(event, last_modified=BASE - timedelta(seconds=event.sequence % 3))
)


@settings(max_examples=500, deadline=None)
@given(name=TEXT, feed=st.lists(events, max_size=4, unique_by=lambda e: e.shift_id))
def test_fast_renderer_matches_the_reference_bytes(name, feed):
    assert render_feed_fast(name=name, events=feed, host=HOST) == render_feed(
        name=name, events=feed, host=HOST
    )


@settings(max_examples=300, deadline=None)
@given(feed=st.lists(sharing_events, max_size=12, unique_by=lambda e: e.shift_id))
def test_fast_renderer_matches_the_reference_when_events_share_texts(feed):
    assert render_feed_fast(name="x", events=feed, host=HOST) == render_feed(
        name="x", events=feed, host=HOST
    )


def test_fast_renderer_refuses_what_the_reference_refuses():
    good = CalendarEvent(
        shift_id=1,
        start=BASE,
        end=BASE + timedelta(hours=4),
        summary="x",
        description="",
        location=None,
        geo=None,
        url=None,
        status="CONFIRMED",
        sequence=0,
        last_modified=BASE,
    )
    bad = [
        [good, good],
        [replace(good, end=BASE)],
        [replace(good, status="MAYBE")],
        [replace(good, sequence=-1)],
        [replace(good, geo=(91.0, 0.0))],
        [replace(good, alarm_minutes_before=-5)],
    ]
    for feed in bad:
        with pytest.raises(ValueError):
            render_feed(name="x", events=feed, host=HOST)
        with pytest.raises(ValueError):
            render_feed_fast(name="x", events=feed, host=HOST)
