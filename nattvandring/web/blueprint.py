"""The shell's blueprint: the start page and the language switch."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web", __name__)
