"""The warnings before approving a report (pure; no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from nattvandring.reports.approval_checks import (
    TIME_TOLERANCE,
    ApprovalWarning,
    ReportedWalker,
    approval_warnings,
)

START = datetime(2026, 5, 8, 19, 0, tzinfo=UTC)  # 21:00 in Stockholm
END = datetime(2026, 5, 8, 23, 0, tzinfo=UTC)
EVENING = date(2026, 5, 8)


def walker(name="Anna", birth_year=1980, start=START, end=END) -> ReportedWalker:
    return ReportedWalker(name, birth_year, start, end)


def check(walkers, *, min_walkers=3, min_age=18, tolerance=TIME_TOLERANCE):
    return approval_warnings(
        walkers=walkers,
        min_walkers=min_walkers,
        min_age=min_age,
        evening=EVENING,
        planned_start=START,
        planned_end=END,
        tolerance=tolerance,
    )


def test_a_report_by_the_rules_has_no_warnings():
    assert check([walker("A"), walker("B"), walker("C")]) == []


def test_fewer_walkers_than_the_minimum():
    assert check([walker("A"), walker("B")]) == [
        ApprovalWarning("under_minimum", {"count": 2, "minimum": 3})
    ]
    assert check([], min_walkers=2) == [
        ApprovalWarning("under_minimum", {"count": 0, "minimum": 2})
    ]


def test_age_counts_the_year_of_the_walk():
    # Born 2008: turns 18 in 2026, so allowed at 18 and not at 20.
    young = walker("Ung", birth_year=2008)
    assert check([young, walker("B"), walker("C")]) == []
    assert check([young, walker("B"), walker("C")], min_age=20) == [
        ApprovalWarning("too_young", {"name": "Ung", "age": 18, "minimum": 20})
    ]


def test_missing_birth_year_warns_only_under_an_age_limit():
    unknown = walker("Okänd", birth_year=None)
    assert check([unknown, walker("B"), walker("C")]) == [
        ApprovalWarning("birth_year_missing", {"name": "Okänd"})
    ]
    assert check([unknown, walker("B"), walker("C")], min_age=0) == []


def test_times_at_the_tolerance_pass_and_beyond_it_warn():
    edge = TIME_TOLERANCE
    just = walker("Just", start=START - edge, end=END + edge)
    late = walker("Sen", start=START + edge + timedelta(minutes=1))
    early_home = walker("Tidig", end=END - edge - timedelta(minutes=5))
    warnings = check([just, late, early_home])
    assert [(w.code, w.params["name"]) for w in warnings] == [
        ("times_far", "Sen"),
        ("times_far", "Tidig"),
    ]
    assert warnings[0].params["minutes"] == 60


def test_all_warnings_in_a_stable_order():
    warnings = check(
        [walker("Ung", birth_year=2012, start=START + timedelta(hours=2))], min_walkers=3
    )
    assert [w.code for w in warnings] == ["under_minimum", "too_young", "times_far"]
