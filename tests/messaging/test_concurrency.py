"""Exactly-once sending with several worker processes, and after a worker is killed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from nattvandring import clock
from nattvandring.db import get_engine
from nattvandring.messaging.dispatch import dispatch_due, due_count
from nattvandring.messaging.models import SmsMessage
from nattvandring.outbox import claim
from tests.support.database import make_test_app

ROOT = Path(__file__).resolve().parents[2]
SID = "AC" + "0123456789abcdef" * 2
TOKEN = "twilio-auth-token"
LEASE = 120
GRACE = 120


@pytest.fixture
def settings(tmp_path, fake_twilio):  # type: ignore[no-untyped-def]
    return {
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_FROM": "+46766861004",
        "TWILIO_TIMEOUT_SECONDS": 5,
        "TWILIO_API_BASE_URL": fake_twilio.base_url,
        "OUTBOX_BATCH_SIZE": 20,
        "OUTBOX_LEASE_SECONDS": LEASE,
        "SMS_RECONCILE_GRACE_SECONDS": GRACE,
        # The workers run on the wall clock: quiet hours (tested elsewhere) would hold them.
        "SMS_QUIET_HOURS_START": "00:00",
        "SMS_QUIET_HOURS_END": "00:00",
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def app(tmp_path, settings):  # type: ignore[no-untyped-def]
    app = make_test_app(tmp_path, **settings)
    yield app
    get_engine(app).dispose()


def queue_reminders(db, n: int) -> None:  # type: ignore[no-untyped-def]
    due = clock.utcnow() - timedelta(minutes=1)
    db.add_all(
        SmsMessage(
            kind="reminder",
            to_e164=f"+4670{i:07d}",
            body=f"Påminnelse nummer {i}: nattvandring i kväll kl 22:00.",
            due_at=due,
            dedupe_key=f"bench:{i}",
        )
        for i in range(n)
    )
    db.commit()


def start_worker(app, tmp_path, kill_after: int = 0) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    keys = ("DATABASE_URL", "SECRET_KEY", "PUBLIC_BASE_URL", "TESTING")
    keys += tuple(k for k in app.config if k.startswith(("TWILIO_", "OUTBOX_", "SMS_")))
    settings = {key: app.config[key] for key in keys} | {"LOG_LEVEL": "WARNING"}
    argv = [
        sys.executable,
        "-m",
        "tests.messaging.worker_proc",
        json.dumps(settings),
        str(tmp_path / "go"),
    ]
    if kill_after:
        argv.append(str(kill_after))
    env = os.environ | {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    process = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready", process.stderr.read()  # type: ignore[union-attr]
    return process


def finish_worker(process: subprocess.Popen) -> int:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return int(json.loads(out.strip().splitlines()[-1])["sent"])


def sent_rows(db) -> list[SmsMessage]:  # type: ignore[no-untyped-def]
    db.commit()
    db.expire_all()
    return list(db.exec(select(SmsMessage).order_by(SmsMessage.id)).all())


def assert_each_sent_once(db, fake, n: int) -> None:  # type: ignore[no-untyped-def]
    posted = Counter(request.form["To"] for request in fake.created_requests())
    assert len(posted) == n and set(posted.values()) == {1}, "a message was sent twice"
    found = sent_rows(db)
    assert Counter(row.status for row in found) == {"sent": n}
    assert {row.twilio_sid for row in found} == {m["sid"] for m in fake.messages}


def _two_workers(app, db, tmp_path, fake) -> None:  # type: ignore[no-untyped-def]
    queue_reminders(db, 1000)
    workers = [start_worker(app, tmp_path), start_worker(app, tmp_path)]
    (tmp_path / "go").touch()
    counts = [finish_worker(worker) for worker in workers]
    assert sum(counts) == 1000
    assert min(counts) > 0, f"the workers did not overlap: {counts}"
    assert_each_sent_once(db, fake, 1000)


@pytest.mark.slow
def test_two_worker_processes_send_1000_reminders_exactly_once(app, db, tmp_path, fake_twilio):
    # SQLite by default; the whole suite's PostgreSQL run covers that database too.
    _two_workers(app, db, tmp_path, fake_twilio)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_worker_processes_on_postgres(app, db, tmp_path, fake_twilio):
    assert get_engine(app).dialect.name == "postgresql"
    _two_workers(app, db, tmp_path, fake_twilio)


@pytest.mark.slow
def test_worker_killed_mid_batch_then_restarted(app, db, tmp_path, fake_twilio):
    queue_reminders(db, 30)
    worker = start_worker(app, tmp_path, kill_after=3)
    (tmp_path / "go").touch()
    worker.communicate(timeout=60)
    assert worker.returncode == -9  # SIGKILL: died right after Twilio took the 3rd message
    found = sent_rows(db)
    abandoned = [row for row in found if row.status == "sending"]
    assert Counter(row.status for row in found)["sent"] == 2
    assert len(abandoned) >= 18  # the rest of its batch (20) was claimed, 1 of them sent
    assert len(fake_twilio.messages) == 3
    # Restart after the lease (and the reconcile grace) has run out.
    clock.freeze(clock.utcnow() + timedelta(seconds=LEASE + GRACE + 1))
    while dispatch_due(app) or due_count(app):
        pass
    assert_each_sent_once(db, fake_twilio, 30)
    lookups = [r for r in fake_twilio.requests if r.method == "GET"]
    assert len(lookups) == len(abandoned)  # each abandoned row looked up before any resend
    third = next(m for m in fake_twilio.messages[:3] if m["to"] == found[2].to_e164)
    assert sent_rows(db)[2].twilio_sid == third["sid"]  # reconciled, not sent again


def test_claim_takes_at_most_the_batch_size(app, db):
    """outbox.claim's contract, which the exactly-once tests rely on for fair batches."""
    queue_reminders(db, 30)
    claimed = claim(get_engine(app), SmsMessage.__table__, batch_size=20, lease_seconds=60)
    assert len(claimed.ids) == 20
