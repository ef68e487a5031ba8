"""Writing audit entries (flush only; the edge commits)."""

from __future__ import annotations

from sqlmodel import Session

from .models import AuditEntry


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: int | None,
    municipality_id: int | None = None,
    association_id: int | None = None,
    details: str = "",
) -> AuditEntry:
    entry = AuditEntry(
        actor_user_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        municipality_id=municipality_id,
        association_id=association_id,
        details=details[:2000],
    )
    session.add(entry)
    return entry
