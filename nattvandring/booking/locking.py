"""Row locks in the one fixed order: association -> shift -> user.

On PostgreSQL each helper takes ``SELECT ... FOR UPDATE`` on its row, so two writers touching
the same shift queue up instead of both seeing "room for one more". On SQLite the clause is
left out; there the request already runs under ``BEGIN IMMEDIATE``, which serializes writers.
``populate_existing`` refreshes a row the session had loaded before the lock was taken.
"""

from __future__ import annotations

from sqlmodel import Session, select

from ..accounts.models import User
from ..associations.models import Association
from ..errors import NotFound
from ..planning.models import Shift


def _locked(session: Session, model, object_id: int):
    row = session.exec(
        select(model)
        .where(model.id == object_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NotFound()
    return row


def lock_association(session: Session, association_id: int) -> Association:
    return _locked(session, Association, association_id)


def lock_shift(session: Session, shift_id: int) -> Shift:
    return _locked(session, Shift, shift_id)


def lock_user(session: Session, user_id: int) -> User:
    return _locked(session, User, user_id)
