"""Patrol planning: series of shifts, special nights and booking/roster rules (pure functions)."""
