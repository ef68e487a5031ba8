"""Fixtures for e-mail tests: a real local SMTP server and an app that sends through it."""

from __future__ import annotations

import pytest

from tests.mail.smtp_server import smtp_server
from tests.support.database import make_test_app, release


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture
def smtp_app(tmp_path, smtp):
    app = make_test_app(
        tmp_path,
        MAIL_BACKEND="smtp",
        SMTP_HOST=smtp.host,
        SMTP_PORT=smtp.port,
        SMTP_TIMEOUT_SECONDS=5,
    )
    yield app
    release(app)
