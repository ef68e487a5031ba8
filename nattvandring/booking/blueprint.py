"""The booking blueprint: the leader's calendar, booking, reserve list and walking group."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("booking", __name__)
