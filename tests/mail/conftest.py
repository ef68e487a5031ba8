"""Fixtures for e-mail tests: a real local SMTP server and an app that sends through it."""

from __future__ import annotations

import pytest

from nattvandring.db import get_engine
from tests.mail.smtp_server import smtp_server
from tests.support.database import make_test_app


@pytest.fixture
def smtp():  # type: ignore[no-untyped-def]
    with smtp_server() as server:
        yield server


@pytest.fixture
def smtp_app(tmp_path, smtp):  # type: ignore[no-untyped-def]
    app = make_test_app(
        tmp_path,
        MAIL_BACKEND="smtp",
        SMTP_HOST=smtp.host,
        SMTP_PORT=smtp.port,
        SMTP_TIMEOUT_SECONDS=5,
    )
    yield app
    get_engine(app).dispose()
