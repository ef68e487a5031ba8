"""Creating municipalities. Flush only."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from sqlmodel import Session, select

from ..audit.services import record
from ..errors import RuleViolation
from ..i18n import _l
from .models import Municipality


def _ascii_slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def slugify(name: str) -> str:
    return _ascii_slug(name) or "kommun"


def create_municipality(session: Session, *, name: str, actor_id: int | None) -> Municipality:
    clean = name.strip()
    if not clean:
        raise RuleViolation("name_required", _l("Ange kommunens namn."), field="name")
    slug = slugify(clean)
    taken = session.exec(
        select(Municipality).where((Municipality.name == clean) | (Municipality.slug == slug))
    ).first()
    if taken:
        raise RuleViolation("name_taken", _l("Kommunen finns redan."), field="name")
    municipality = Municipality(name=clean, slug=slug)
    session.add(municipality)
    session.flush()
    record(
        session,
        actor_id=actor_id,
        action="municipality.created",
        object_type="municipality",
        object_id=municipality.id,
        municipality_id=municipality.id,
    )
    return municipality


#: Longer than any slug: such a path names no municipality and is not looked up.
MAX_SLUG_LENGTH = 120


def find_by_slug(session: Session, slug: str) -> tuple[Municipality | None, bool]:
    """The municipality a public URL names, and whether ``slug`` is already its canonical
    slug. ``hässleholm``, ``Hässleholm`` or a percent-encoded form find ``hassleholm``
    (False: redirect there); nothing found is ``(None, False)``."""
    if not slug or len(slug) > MAX_SLUG_LENGTH:
        return None, False
    municipality = session.exec(select(Municipality).where(Municipality.slug == slug)).first()
    if municipality is not None:
        return municipality, True
    candidate = _ascii_slug(unquote(slug))
    if not candidate or candidate == slug:
        return None, False
    found = session.exec(select(Municipality).where(Municipality.slug == candidate)).first()
    return found, False
