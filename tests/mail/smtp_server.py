"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it received, parsed."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage as MimeMessage
from email.policy import default

import icalendar
from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: MimeMessage

    def calendar_part(self) -> MimeMessage:
        (part,) = [p for p in self.message.walk() if p.get_content_type() == "text/calendar"]
        return part

    def calendar(self) -> icalendar.Calendar:
        return icalendar.Calendar.from_ical(self.calendar_part().get_payload(decode=True))


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: _Handler

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    handler = _Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        controller.stop()
