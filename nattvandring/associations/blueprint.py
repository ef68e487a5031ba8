"""The associations blueprint: registration, approval and the association's own pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("associations", __name__)
