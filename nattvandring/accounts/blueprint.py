"""The accounts blueprint: login, links, invitations, proof of a number or address."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__)
