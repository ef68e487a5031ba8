from __future__ import annotations

from tests.support.booking_fixtures import ctx, emitted, frozen  # noqa: F401 - fixtures
