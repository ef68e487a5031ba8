"""The one clock: frozen by in-process tests, read from a file by served test processes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nattvandring import clock
from nattvandring.app import create_app


def test_follow_file_reads_the_instant_on_every_call(tmp_path):
    now_file = tmp_path / "now.txt"
    now_file.write_text("2026-03-16T10:00:00+01:00\n", encoding="utf-8")
    clock.follow_file(now_file)
    assert clock.utcnow() == datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
    now_file.write_text("2026-04-04T12:30:00+02:00", encoding="utf-8")
    assert clock.utcnow() == datetime(2026, 4, 4, 10, 30, tzinfo=UTC)
    clock.follow_file(None)
    assert abs((clock.utcnow() - datetime.now(UTC)).total_seconds()) < 5


def test_follow_file_refuses_a_naive_or_missing_instant(tmp_path):
    naive = tmp_path / "naive.txt"
    naive.write_text("2026-03-16T10:00:00", encoding="utf-8")
    with pytest.raises(ValueError, match="aware"):
        clock.follow_file(naive)
    with pytest.raises(FileNotFoundError):
        clock.follow_file(tmp_path / "missing.txt")


def test_the_app_follows_the_test_clock_file_outside_production(tmp_path):
    now_file = tmp_path / "now.txt"
    now_file.write_text("2026-03-16T10:00:00+01:00", encoding="utf-8")
    create_app({"DATABASE_URL": "sqlite://", "TEST_CLOCK_FILE": str(now_file)})
    assert clock.utcnow() == datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
