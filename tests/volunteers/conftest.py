from __future__ import annotations

from tests.reports.conftest import walk_a  # noqa: F401 - fixture of the personal-report tests
from tests.support.booking_fixtures import ctx, emitted, frozen  # noqa: F401 - fixtures
