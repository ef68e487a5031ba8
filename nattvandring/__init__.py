"""Nattvandring: booking, SMS, calendars, reports and payouts for night patrols."""

from __future__ import annotations

__all__ = ["create_app"]


def create_app(overrides=None):
    """Build the Flask app (see ``nattvandring.app.create_app``)."""
    from .app import create_app as factory

    return factory(overrides)
