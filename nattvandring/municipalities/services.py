"""Creating municipalities. Flush only."""

from __future__ import annotations

import re
import unicodedata

from sqlmodel import Session, select

from ..audit.services import record
from ..errors import RuleViolation
from ..i18n import _l
from .models import Municipality


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "kommun"


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
