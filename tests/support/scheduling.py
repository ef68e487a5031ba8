"""How ``make test`` spreads the slow tests over two pytest-xdist workers (``--dist loadgroup``).

Two groups, one per worker, each run one test after the other in collection order:

- the browser journeys (tests/e2e): they share one served app and hand each other what they
  made (``story``);
- everything else: the HTTPS deployments (tests/e2e/https), which rebuild their worker's
  database and so must never run beside ``served`` on the same one, and the server and
  thread tests, which would compete for the cores and for their timeouts if two of them
  raced side by side.

On PostgreSQL each worker has a database of its own (tests/support/database.py), so the
groups never touch each other's data.

xdist's own ``xdist_group`` marks would say the same, but pytest 9.2 silently ignores them:
xdist carries the group in the node id, which a plugin can no longer change
(pytest-dev/pytest-xdist#1386). So the controller groups by path here, changing nothing.
"""

from __future__ import annotations

from xdist.scheduler import LoadGroupScheduling

JOURNEYS = "browser-journeys"
OTHERS = "deployments-servers-and-threads"


def group_of(nodeid: str) -> str:
    """The group whose worker runs this test."""
    if nodeid.startswith("tests/e2e/") and not nodeid.startswith("tests/e2e/https/"):
        return JOURNEYS
    return OTHERS


class PathGroupScheduling(LoadGroupScheduling):
    """xdist's loadgroup scheduling, with the groups taken from the test's path."""

    def _split_scope(self, nodeid: str) -> str:
        return group_of(nodeid)
