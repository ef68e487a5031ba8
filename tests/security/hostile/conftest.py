"""The app the hostile-input tests post to."""

from __future__ import annotations

import pytest

from nattvandring.db import get_engine
from tests.conftest import make_test_app


def make_fuzz_app(tmp_path, **overrides):  # type: ignore[no-untyped-def]
    """The CSRF-disabled test app with generous rate limits (they are tested elsewhere).

    Not RATELIMIT_ENABLED=False: the Limiter is one shared object and would stay disabled
    for the apps of later tests in the same process.
    """
    return make_test_app(
        tmp_path,
        RATELIMIT_LOGIN="10000 per minute",
        RATELIMIT_PUBLIC_FORMS="10000 per hour",
        RATELIMIT_WEBHOOKS="10000 per minute",
        **overrides,
    )


@pytest.fixture
def fuzz_app(tmp_path):  # type: ignore[no-untyped-def]
    app = make_fuzz_app(tmp_path)
    yield app
    get_engine(app).dispose()
