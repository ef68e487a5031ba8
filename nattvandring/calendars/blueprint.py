"""The calendars blueprint: feeds (.ics), the one-walk download and feed-link pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("calendars", __name__)
