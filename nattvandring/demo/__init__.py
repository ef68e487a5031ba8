"""Realistic, idempotent demo data: Hässleholm, Bjuv and Hörby with their associations."""

from __future__ import annotations

from .loader import DEMO_PASSWORD, load_demo

__all__ = ["DEMO_PASSWORD", "load_demo"]
