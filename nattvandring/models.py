"""Imports every area's ``models`` module so ``SQLModel.metadata`` is complete."""

from __future__ import annotations

from sqlmodel import SQLModel

from .discovery import area_modules

area_modules("models")
metadata = SQLModel.metadata
