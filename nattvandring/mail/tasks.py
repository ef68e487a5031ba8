"""Scheduled jobs of the mail area."""

from __future__ import annotations

from .dispatch import dispatch_due

JOBS = [(dispatch_due, "DISPATCH_INTERVAL_SECONDS")]
