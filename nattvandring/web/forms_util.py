"""Small helpers shared by views: rule violations onto form fields, tenant-checked loading."""

from __future__ import annotations

from typing import TypeVar

from flask import flash
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlmodel import SQLModel

from .. import authz
from ..db import db_session
from ..errors import NotFound, RuleViolation

T = TypeVar("T", bound=SQLModel)

#: The largest id an integer column holds (PostgreSQL's ``integer``). A larger number posted as
#: an id names no row, and the database driver refuses to bind it (a 500), so forms refuse it.
MAX_ID = 2**31 - 1


def whole_number(text: str | None) -> int | None:
    """A whole number an integer column can hold (0 to ``MAX_ID``), else None.

    ``isdecimal``, not ``isdigit``: "²" is a digit that ``int`` refuses. And a number no
    integer column holds would fail when bound to a query.
    """
    raw = (text or "").strip()
    if not raw.isdecimal():
        return None
    value = int(raw)
    return value if value <= MAX_ID else None


def posted_id(text: str | None) -> int | None:
    """An id from a hidden field: a positive integer a database column can hold, else None."""
    value = whole_number(text)
    return value if value else None


# Field names used by services that differ from the form's field names.
FIELD_ALIASES = {"phone": ("contact_phone", "phone", "mobile")}


def show_violation(form: FlaskForm | None, violation: RuleViolation) -> None:
    """Attach the message to the field it concerns, or flash it when no field matches."""
    if form is not None and violation.field:
        for name in (violation.field, *FIELD_ALIASES.get(violation.field, ())):
            field = getattr(form, name, None)
            # A hidden field shows no errors: its message would never reach the page.
            if (
                field is not None
                and hasattr(field, "errors")
                and getattr(field, "type", "") not in ("HiddenField", "CSRFTokenField")
            ):
                if isinstance(field.errors, tuple):
                    field.errors = list(field.errors)
                field.errors.append(violation.message)
                return
    # Translated now: a lazy text would be rendered only when the session cookie is written,
    # after the request's database session has closed.
    flash(str(violation.message), "error")


def load_for(model: type[T], object_id: int, action: str) -> T:
    """Load a row and check the current user may ``action`` it: 404 for other tenants."""
    obj = db_session().get(model, object_id)
    if obj is None:
        raise NotFound()
    authz.require(current_user, action, obj)
    return obj
