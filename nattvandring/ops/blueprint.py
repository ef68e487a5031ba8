"""The ops blueprint: health and heartbeat."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ops", __name__)
