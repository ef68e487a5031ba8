"""The municipalities blueprint: the admin's list of municipalities."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("municipalities", __name__)
