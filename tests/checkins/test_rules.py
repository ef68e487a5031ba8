"""Pure rules: the SMS words, the windows, rounding and the report's times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nattvandring.checkins import rules
from nattvandring.checkins.models import NudgeKind
from nattvandring.checkins.nudges import due_nudge

START = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
END = START + timedelta(hours=4)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("START", "in"),
        ("start", "in"),
        (" Start! ", "in"),
        ("s t a r t", "in"),
        ("IN", "in"),
        ("in", "in"),
        ("Ín", "in"),
        ("SLUT", "out"),
        ("slut.", "out"),
        ("Slüt", "out"),
        ("UT", "out"),
        ("ut", "out"),
        (" u t ", "out"),
        ("Üt", "out"),
        ("Stårt", "in"),  # å, ä and ö fold to a and o (a slip on a Swedish keyboard)
        ("STÄRT", "in"),
        ("ÅT", None),  # ... but only onto the words themselves
        ("UTØ", None),  # a letter that does not fold is kept, not dropped
        ("Iñ", "in"),
        ("ja", None),
        ("In i morgon", None),
        ("Ut och gå", None),
        ("STARTA", None),
        ("", None),
        (None, None),
    ],
)
def test_check_words(text, kind):
    assert rules.check_word(text) == kind


def test_windows():
    opens, closes = rules.check_in_window(START, END)
    assert (opens, closes) == (START - timedelta(hours=1), END)
    assert rules.check_out_window(START, END)[1] == END + timedelta(hours=6)
    assert rules.within(opens, (opens, closes)) and rules.within(closes, (opens, closes))
    assert not rules.within(opens - timedelta(seconds=1), (opens, closes))


@pytest.mark.parametrize(
    ("minute", "second", "expected"),
    [(0, 0, 0), (2, 29, 0), (2, 30, 5), (7, 29, 5), (57, 30, 60), (59, 59, 60)],
)
def test_round_to_5(minute, second, expected):
    instant = START.replace(minute=minute, second=second)
    assert rules.round_to_5(instant) == START + timedelta(minutes=expected)


@given(st.integers(min_value=0, max_value=10**9))
def test_rounding_moves_less_than_three_minutes_onto_a_five_minute_mark(seconds):
    instant = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    rounded = rules.round_to_5(instant)
    assert abs(rounded - instant) <= timedelta(minutes=2, seconds=30)
    assert rounded.minute % 5 == 0 and rounded.second == 0


@given(st.lists(st.tuples(st.sampled_from(["in", "out"]), st.integers(0, 600)), max_size=12))
def test_intervals_never_overlap_and_only_the_last_is_open(history):
    events = sorted(
        ((kind, START + timedelta(minutes=m)) for kind, m in history), key=lambda e: e[1]
    )
    pairs = rules.intervals(events)
    for index, (begin, finish) in enumerate(pairs):
        assert finish is None or finish >= begin
        if finish is None:
            assert index == len(pairs) - 1
        if index:
            assert pairs[index - 1][1] is not None and pairs[index - 1][1] <= begin


def test_report_times():
    slack = timedelta(hours=3)
    kw = {"shift_start": START, "shift_end": END, "slack": slack}
    assert rules.report_times(None, None, **kw) == (START, END)
    checked_in = START - timedelta(minutes=8, seconds=10)  # 20:51:50 -> 20:50
    assert rules.report_times(checked_in, None, **kw) == (START - timedelta(minutes=10), END)
    out = END + timedelta(minutes=3)
    assert rules.report_times(checked_in, out, **kw)[1] == END + timedelta(minutes=5)
    # A forgotten check-out five hours late is kept within what the form accepts.
    assert rules.report_times(checked_in, END + timedelta(hours=5), **kw)[1] == END + slack
    # Out at the same rounded minute as in: never a zero or negative walk.
    begin, finish = rules.report_times(START, START + timedelta(minutes=1), **kw)
    assert finish > begin


def test_due_nudges():
    def due(kind, now, checked=False, inside=False):
        return due_nudge(
            kind, start=START, end=END, now=now, anyone_checked=checked, anyone_in=inside
        )

    twenty = START + timedelta(minutes=20)
    assert due(NudgeKind.NOT_STARTED, twenty - timedelta(seconds=1)) is None
    assert due(NudgeKind.NOT_STARTED, twenty) == END
    assert due(NudgeKind.NOT_STARTED, twenty, checked=True) is None
    assert due(NudgeKind.NOT_STARTED, END) is None
    two_hours = END + timedelta(hours=2)
    assert due(NudgeKind.STILL_OUT, two_hours, inside=True) == two_hours + timedelta(hours=1)
    assert due(NudgeKind.STILL_OUT, two_hours, inside=False) is None
    assert due(NudgeKind.STILL_OUT, two_hours - timedelta(seconds=1), inside=True) is None
    assert due(NudgeKind.STILL_OUT, two_hours + timedelta(hours=1), inside=True) is None
