"""Municipalities (tenants), their patrol areas and their booking rules."""
