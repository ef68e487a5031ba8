"""The booking rounds blueprint: the coordinator's rounds, the leader's wishes, the result."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("rounds", __name__)
