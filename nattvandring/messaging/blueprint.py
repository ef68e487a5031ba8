"""The messaging blueprint: the sent-SMS pages and the Twilio webhooks."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("messaging", __name__)
