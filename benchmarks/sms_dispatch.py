"""Dispatch N reminders through the real Twilio SDK to a local fake Twilio server.

    python -m benchmarks.sms_dispatch --n 1000 [--batch 100] [--database-url URL]

Prints the throughput of the outbox dispatcher (claim, send, record per row) and, for
comparison, of a bare loop of SDK ``messages.create`` calls against the same server, so the
difference is the outbox's overhead. SQLite in a temporary directory unless a database URL
is given (the sms_outbox table is emptied first, so use a scratch database).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete
from sqlmodel import SQLModel

from nattvandring.app import create_app
from nattvandring.clock import utcnow
from nattvandring.db import get_engine, session_scope
from nattvandring.messaging.dispatch import dispatch_due, due_count
from nattvandring.messaging.gateways import TwilioGateway
from nattvandring.messaging.models import SmsMessage
from tests.support.fake_twilio import FakeTwilio

SID = "AC" + "0" * 32
TOKEN = "benchmark-token"
SENDER = "+46766861004"
BODY = "Påminnelse: nattvandring lör 28 nov kl 21:00-01:00, Centrum. Samling: Stortorget. Nr {i}"


def bare_loop(base_url: str, n: int) -> float:
    gateway = TwilioGateway(
        account_sid=SID, auth_token=TOKEN, from_number=SENDER, base_url=base_url, timeout_s=10
    )
    started = time.perf_counter()
    for i in range(n):
        gateway.send(to=f"+4671{i:07d}", body=BODY.format(i=i), status_callback=None)
    elapsed = time.perf_counter() - started
    gateway.close()
    return elapsed


def outbox_run(base_url: str, n: int, batch: int, database_url: str) -> float:
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": SID,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_FROM": SENDER,
            "TWILIO_API_BASE_URL": base_url,
            "OUTBOX_BATCH_SIZE": batch,
            "LOG_LEVEL": "WARNING",
        }
    )
    engine = get_engine(app)
    SQLModel.metadata.create_all(engine)
    due = utcnow() - timedelta(seconds=1)
    with session_scope(engine) as session:
        session.exec(delete(SmsMessage))
        session.add_all(
            SmsMessage(
                kind="reminder",
                to_e164=f"+4670{i:07d}",
                body=BODY.format(i=i),
                due_at=due,
                dedupe_key=f"benchmark:{i}",
            )
            for i in range(n)
        )
    started = time.perf_counter()
    sent = 0
    while True:
        done = dispatch_due(app)
        sent += done
        if done == 0 and due_count(app) == 0:
            break
    elapsed = time.perf_counter() - started
    engine.dispose()
    if sent != n:
        raise SystemExit(f"expected {n} messages sent, got {sent}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of reminders")
    parser.add_argument("--batch", type=int, default=100, help="OUTBOX_BATCH_SIZE")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp dir")
    args = parser.parse_args()
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    os.environ.setdefault("no_proxy", "127.0.0.1,localhost")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        with FakeTwilio() as fake:
            bare = bare_loop(fake.base_url, args.n)
        with FakeTwilio() as fake:
            outbox = outbox_run(fake.base_url, args.n, args.batch, url)
            assert len(fake.created_requests()) == args.n
    overhead = outbox - bare
    print(f"messages:          {args.n} (batch {args.batch}, {url.split(':')[0]})")
    print(f"bare SDK loop:     {bare:8.2f} s  {args.n / bare:8.1f} msg/s")
    print(f"outbox dispatch:   {outbox:8.2f} s  {args.n / outbox:8.1f} msg/s")
    print(
        f"outbox overhead:   {overhead:8.2f} s  {overhead / args.n * 1000:8.2f} ms/msg "
        f"({overhead / bare * 100:.0f} % over the bare loop)"
    )


if __name__ == "__main__":
    main()
