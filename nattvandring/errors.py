"""Domain errors shared by every area.

A rule that refuses an action raises ``RuleViolation`` with a stable ``code`` (for tests and
logs) and a translated, user-facing ``message``. Views turn it into a flash or a field error.
"""

from __future__ import annotations


class RuleViolation(Exception):
    """A business rule refused the requested change."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class NotFound(Exception):
    """The object does not exist or belongs to another tenant (answered as 404)."""


class Forbidden(Exception):
    """The object is visible to the user but the action is not allowed (answered as 403)."""


class InvalidQuery(Exception):
    """A query-string value the page cannot use (answered as 400 with ``message``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
