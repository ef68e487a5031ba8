"""How ``make test`` spreads the slow tests over two pytest-xdist workers (``--dist loadgroup``).

- The browser journeys (tests/e2e) run on one worker, one after the other in file order: they
  share one served app and hand each other what they made (``story``).
- The HTTPS deployments (tests/e2e/https) share one demo database and run on one worker.
- Every other slow test goes to whichever worker is free.

On PostgreSQL each worker has a database of its own (tests/support/database.py), so the two
groups never touch each other's data.

xdist's own ``xdist_group`` marks would say the same, but pytest 9.2 silently ignores them:
xdist carries the group in the node id, which a plugin can no longer change
(pytest-dev/pytest-xdist#1386). So the controller groups by path here, changing nothing.
"""

from __future__ import annotations

from xdist.scheduler import LoadGroupScheduling

# Most specific first.
GROUPS = (
    ("tests/e2e/https/", "https-deployments"),
    ("tests/e2e/", "browser-journeys"),
)


def group_of(nodeid: str) -> str | None:
    """The group that must run on one worker, or None for a test that may run anywhere."""
    for prefix, group in GROUPS:
        if nodeid.startswith(prefix):
            return group
    return None


class PathGroupScheduling(LoadGroupScheduling):
    """xdist's loadgroup scheduling, with the groups taken from the test's path."""

    def _split_scope(self, nodeid: str) -> str:
        return group_of(nodeid) or super()._split_scope(nodeid)
