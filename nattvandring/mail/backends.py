"""E-mail backends behind one small interface: console (embedded default) and SMTP."""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage as MimeMessage
from email.utils import formataddr, make_msgid, parseaddr
from typing import Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingMail:
    to_address: str
    to_name: str
    subject: str
    body_text: str
    ics: str | None = None
    ics_method: str | None = None


class MailBackend(Protocol):
    name: str

    def send(self, mail: OutgoingMail) -> None: ...


_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def one_line(value: str) -> str:
    """A header value on one line: CR, LF and other control characters become a space.

    Names and subjects come from user input; a line break must never start a new header
    (and the email package refuses them, which would stop the outbox).
    """
    return " ".join(_CONTROL.sub(" ", value or "").split())


def build_mime(mail: OutgoingMail, *, sender: str) -> MimeMessage:
    message = MimeMessage()
    message["From"] = sender
    to_name, to_address = one_line(mail.to_name), one_line(mail.to_address)
    message["To"] = formataddr((to_name, to_address)) if to_name else to_address
    message["Subject"] = one_line(mail.subject)
    message["Message-ID"] = make_msgid(domain="nattvandring")
    message.set_content(mail.body_text)
    if mail.ics:
        # Calendar clients look for the METHOD both in the part's parameters and in the body.
        message.add_attachment(
            mail.ics.encode("utf-8"),
            maintype="text",
            subtype="calendar",
            filename="invite.ics",
            params={"method": mail.ics_method or "PUBLISH", "charset": "utf-8"},
        )
    return message


class ConsoleMailBackend:
    """Sends nothing: the message stays in the outbox table and is logged by its kind only."""

    name = "console"

    def send(self, mail: OutgoingMail) -> None:
        log.info("Console e-mail: subject=%r (%d characters)", mail.subject, len(mail.body_text))


class SmtpMailBackend:
    name = "smtp"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str = "",
        password: str = "",
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password = username, password
        self.starttls, self.timeout = starttls, timeout
        # EHLO with the sender's domain, not this machine's name (smtplib would look up
        # the local FQDN, which leaks the host name and can hang on a bad resolver).
        self.helo_name = parseaddr(sender)[1].rpartition("@")[2] or "localhost"

    def send(self, mail: OutgoingMail) -> None:
        with smtplib.SMTP(
            self.host, self.port, local_hostname=self.helo_name, timeout=self.timeout
        ) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(build_mime(mail, sender=self.sender))


def backend_from_config(config) -> MailBackend:
    if config["MAIL_BACKEND"] == "smtp":
        return SmtpMailBackend(
            host=config["SMTP_HOST"],
            port=int(config["SMTP_PORT"]),
            sender=config["MAIL_FROM"],
            username=config["SMTP_USERNAME"],
            password=config["SMTP_PASSWORD"],
            starttls=bool(config["SMTP_STARTTLS"]),
            timeout=float(config["SMTP_TIMEOUT_SECONDS"]),
        )
    return ConsoleMailBackend()
