"""Associations: registration, approval, profile and members."""
