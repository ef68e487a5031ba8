"""Volunteers react to an association's approval: the membership questions that waited go out."""

from __future__ import annotations

from sqlmodel import Session

from .. import events
from .services_requests import ask_waiting


@events.subscribe(events.AssociationApproved)
def on_association_approved(session: Session, event: events.AssociationApproved) -> None:
    ask_waiting(session, event.association_id)
