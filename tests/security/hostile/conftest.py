"""The app the hostile-input tests post to, and the access matrix's world they read from."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.security.hostile.recording import RecordingRequest
from tests.security.matrix_runner import Matrix
from tests.support.database import make_test_app, release


def make_fuzz_app(tmp_path, **overrides):
    """The CSRF-disabled test app with generous rate limits (they are tested elsewhere).

    Not RATELIMIT_ENABLED=False: the Limiter is one shared object and would stay disabled
    for the apps of later tests in the same process.
    """
    return make_test_app(
        tmp_path,
        RATELIMIT_LOGIN="10000 per minute",
        RATELIMIT_PUBLIC_FORMS="10000 per hour",
        RATELIMIT_WEBHOOKS="10000 per minute",
        RATELIMIT_CODE_TRIES="10000 per minute",
        **overrides,
    )


@pytest.fixture
def fuzz_app(tmp_path):
    app = make_fuzz_app(tmp_path)
    yield app
    release(app)


@pytest.fixture(scope="module")
def matrix():
    """The access matrix's world (an id for every URL parameter) and logged-in actors, with
    requests that record the keys they read and the forms they validate (one per module)."""
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(dir=shm if shm.is_dir() else None))
    runner = Matrix(folder)
    runner.app.request_class = RecordingRequest
    yield runner
    runner.engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)
