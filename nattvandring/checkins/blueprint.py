"""The check-in blueprint: check-in buttons, "Ute nu" and the nudge settings."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("checkins", __name__)
