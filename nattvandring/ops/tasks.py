"""Scheduled jobs of the operations area."""

from __future__ import annotations

from .heartbeat import beat

HEARTBEAT_SECONDS = 30
JOBS = [(beat, HEARTBEAT_SECONDS)]
