"""An agreement's members over time: the municipalities it covers and the associations
enrolled in it, each kept as periods (``membership``). Services only flush.

A change applies from ``membership.effective_day``: today, or the first evening no approved
payout settled if that is later. So taking a municipality off or withdrawing an association
never changes what an approved payout settled, and the next run neither deducts it nor
pays the evenings after the change. A change takes the agreement's lock and marks the
agreement changed (``locking.mark_changed``): a draft computed before it is computed again
before it is approved (``services_runs.approve``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import TypeVar

from sqlmodel import Session, col, select

from .. import dates
from ..associations.models import Association, AssociationStatus
from ..clock import to_local, utcnow
from ..errors import RuleViolation
from ..i18n import _l
from . import membership
from .locking import lock_agreement, mark_changed
from .membership import FROM_THE_START, Period
from .models import (
    COMMITTED,
    AgreementAssociation,
    AgreementMunicipality,
    PayoutRun,
    SponsorAgreement,
)

Row = TypeVar("Row", AgreementMunicipality, AgreementAssociation)


def first_open_evening(session: Session, agreement: SponsorAgreement) -> date | None:
    """The first evening no approved payout of the agreement settled (None: none did)."""
    committed = session.exec(
        select(col(PayoutRun.period_end), col(PayoutRun.cutoff_at)).where(
            PayoutRun.agreement_id == agreement.id, col(PayoutRun.status).in_(COMMITTED)
        )
    ).all()
    settled = [(last, to_local(cutoff).date()) for last, cutoff in committed]
    if agreement.settled_through is not None:  # paid before terms were versioned
        settled.append((agreement.settled_through, agreement.settled_through))
    return membership.first_open_evening(settled)


def _begin_change(session: Session, agreement: SponsorAgreement) -> date | None:
    """Mark the agreement changed (its lock taken first) and return its first open
    evening."""
    mark_changed(session, agreement)
    return first_open_evening(session, agreement)


def _today() -> date:
    return to_local(utcnow()).date()


def _coverage_period(row: AgreementMunicipality) -> Period:
    return (row.covered_from or FROM_THE_START, row.covered_until)


def _enrolment_period(row: AgreementAssociation) -> Period:
    return (row.joined_on, row.left_on)


def _coverage_rows(session: Session, agreement_id: int) -> dict[int, list[AgreementMunicipality]]:
    rows = session.exec(
        select(AgreementMunicipality)
        .where(AgreementMunicipality.agreement_id == agreement_id)
        .order_by(col(AgreementMunicipality.id))
        .execution_options(populate_existing=True)  # as committed, not as read before a lock
    ).all()
    found: dict[int, list[AgreementMunicipality]] = defaultdict(list)
    for row in rows:
        found[row.municipality_id].append(row)
    return found


def _write(session: Session, rows: list[Row], periods: Sequence[Period], make, apply) -> None:
    """Store ``periods`` (the result of ``membership.ended`` or ``started`` on ``rows``'
    periods): those change only the last period, add one, or drop the last one."""
    for row, period in zip(rows, periods, strict=False):
        apply(row, period)
        session.add(row)
    for row in rows[len(periods) :]:
        session.delete(row)
    for period in periods[len(rows) :]:
        session.add(make(period))
    session.flush()


def set_municipalities(
    session: Session, agreement: SponsorAgreement, wanted: Iterable[int]
) -> None:
    """Cover ``wanted`` from the effective day on and end the others' periods there; a
    municipality never covered is covered from the agreement's start while no payout is
    approved (``membership.covered_again``)."""
    wanted_set = set(wanted)
    lock_agreement(session, agreement)
    found = _coverage_rows(session, agreement.id)  # type: ignore[arg-type]
    periods = {
        m: [_coverage_period(row) for row in found.get(m, [])] for m in wanted_set | set(found)
    }
    changing = sorted(m for m in periods if (m in wanted_set) != membership.is_open(periods[m]))
    if not changing:
        return
    first_open = _begin_change(session, agreement)
    effective = membership.effective_day(_today(), first_open)
    for municipality_id in changing:
        before = periods[municipality_id]
        if municipality_id in wanted_set:
            changed = membership.covered_again(before, effective, first_open)
        else:
            changed = membership.ended(before, effective)
        _write_coverage(
            session, agreement, municipality_id, found.get(municipality_id, []), changed
        )


def _write_coverage(
    session: Session,
    agreement: SponsorAgreement,
    municipality_id: int,
    rows: list[AgreementMunicipality],
    periods: Sequence[Period],
) -> None:
    def apply(row: AgreementMunicipality, period: Period) -> None:
        row.covered_from = None if period[0] == FROM_THE_START else period[0]
        row.covered_until = period[1]

    def make(period: Period) -> AgreementMunicipality:
        row = AgreementMunicipality(
            agreement_id=agreement.id,  # type: ignore[arg-type]
            municipality_id=municipality_id,
        )
        apply(row, period)
        return row

    _write(session, rows, periods, make, apply)


def municipality_ids(session: Session, agreement_id: int) -> list[int]:
    """The municipalities the agreement covers now."""
    return list(
        session.exec(
            select(AgreementMunicipality.municipality_id).where(
                AgreementMunicipality.agreement_id == agreement_id,
                col(AgreementMunicipality.covered_until).is_(None),
            )
        ).all()
    )


def coverage(session: Session, agreement_id: int) -> dict[int, tuple[Period, ...]]:
    """Every period of coverage, per municipality (what runs count walks by)."""
    return {
        municipality_id: tuple(_coverage_period(row) for row in rows)
        for municipality_id, rows in _coverage_rows(session, agreement_id).items()
    }


def periods_of(
    session: Session, agreement_ids: Collection[int], association_ids: Collection[int]
) -> tuple[dict[tuple[int, int], list[Period]], dict[tuple[int, int], list[Period]]]:
    """For several agreements at once, in two queries: the enrolment periods of
    ``association_ids`` by (agreement, association) and the coverage periods by (agreement,
    municipality)."""
    enrolled: dict[tuple[int, int], list[Period]] = defaultdict(list)
    for row in session.exec(
        select(AgreementAssociation).where(
            col(AgreementAssociation.agreement_id).in_(list(agreement_ids)),
            col(AgreementAssociation.association_id).in_(list(association_ids)),
        )
    ).all():
        enrolled[row.agreement_id, row.association_id].append(_enrolment_period(row))
    covered: dict[tuple[int, int], list[Period]] = defaultdict(list)
    for area in session.exec(
        select(AgreementMunicipality).where(
            col(AgreementMunicipality.agreement_id).in_(list(agreement_ids))
        )
    ).all():
        covered[area.agreement_id, area.municipality_id].append(_coverage_period(area))
    return enrolled, covered


def _enrolments_query(
    agreement_id: int,
    *,
    open_only: bool,
    association_ids: Collection[int] | None = None,
    municipality_ids: Collection[int] | None = None,
):
    """The agreement's enrolment periods with their associations, by name."""
    query = (
        select(AgreementAssociation, Association)
        .join(Association, col(Association.id) == AgreementAssociation.association_id)
        .where(AgreementAssociation.agreement_id == agreement_id)
        .order_by(Association.name, col(Association.id), col(AgreementAssociation.id))
    )
    if open_only:
        query = query.where(col(AgreementAssociation.left_on).is_(None))
    if association_ids is not None:
        query = query.where(col(Association.id).in_(list(association_ids)))
    if municipality_ids is not None:
        query = query.where(col(Association.municipality_id).in_(list(municipality_ids)))
    return query


def _enrolment_rows(
    session: Session, agreement_id: int, association_id: int
) -> list[AgreementAssociation]:
    """The association's periods, as committed (read under the agreement's lock)."""
    query = _enrolments_query(agreement_id, open_only=False, association_ids=[association_id])
    found = session.exec(query.execution_options(populate_existing=True)).all()
    return [row for row, _association in found]


def enrolments(
    session: Session, agreement_id: int, *, municipality_ids: Collection[int] | None = None
) -> list[tuple[AgreementAssociation, Association]]:
    """The associations enrolled now (their open periods), only those of
    ``municipality_ids`` when given."""
    query = _enrolments_query(agreement_id, open_only=True, municipality_ids=municipality_ids)
    return list(session.exec(query).all())


def members(
    session: Session,
    agreement_id: int,
    *,
    association_ids: Collection[int] | None = None,
    municipality_ids: Collection[int] | None = None,
) -> list[tuple[Association, tuple[Period, ...]]]:
    """Every association ever enrolled, with its periods (what runs count walks by), only
    ``association_ids`` or those of ``municipality_ids`` when given."""
    query = _enrolments_query(
        agreement_id,
        open_only=False,
        association_ids=association_ids,
        municipality_ids=municipality_ids,
    )
    periods: dict[int, list[Period]] = defaultdict(list)
    associations: dict[int, Association] = {}
    for row, association in session.exec(query).all():
        periods[row.association_id].append(_enrolment_period(row))
        associations[row.association_id] = association
    return [(associations[key], tuple(found)) for key, found in periods.items()]


def former_members(
    session: Session, agreement_id: int, *, municipality_ids: Collection[int] | None = None
) -> list[tuple[Association, list[tuple[date, date | None]]]]:
    """Associations that were enrolled and are not now, with the first and last evening
    of each of their periods."""
    return [
        (association, [(period[0], membership.last_evening(period)) for period in periods])
        for association, periods in members(
            session, agreement_id, municipality_ids=municipality_ids
        )
        if not membership.is_open(periods)
    ]


def enrol(
    session: Session,
    *,
    agreement: SponsorAgreement,
    association: Association,
    joined_on: date | None,
    allowed_municipality_ids: set[int] | None,
) -> AgreementAssociation:
    """Enrol an approved association of a covered municipality (a coordinator: their own)
    from ``joined_on`` (default today). Enrolling again after a withdrawal starts a new
    period, or reopens the last one if ``joined_on`` is not after it ended."""
    lock_agreement(session, agreement)  # before reading what it covers and who is enrolled
    covered = set(municipality_ids(session, agreement.id))  # type: ignore[arg-type]
    if association.municipality_id not in covered:
        raise RuleViolation(
            "not_covered",
            _l("Föreningens kommun omfattas inte av avtalet."),
            field="association_id",
        )
    if (
        allowed_municipality_ids is not None
        and association.municipality_id not in allowed_municipality_ids
    ):
        raise RuleViolation(
            "not_your_municipality",
            _l("Du kan bara ansluta föreningar i din egen kommun."),
            field="association_id",
        )
    if association.status != AssociationStatus.APPROVED:
        raise RuleViolation(
            "not_approved", _l("Föreningen är inte godkänd."), field="association_id"
        )
    if joined_on is not None:
        dates.check_day(joined_on, field="joined_on")
    first_open = _begin_change(session, agreement)
    rows = _enrolment_rows(session, agreement.id, association.id)  # type: ignore[arg-type]
    periods = [_enrolment_period(row) for row in rows]
    if membership.is_open(periods):
        raise RuleViolation(
            "already_enrolled", _l("Föreningen är redan ansluten."), field="association_id"
        )
    if joined_on is not None and first_open is not None and joined_on < first_open:
        raise RuleViolation(
            "joined_before_settled",
            _l(
                "Anslutningen kan gälla från tidigast %(day)s: kvällarna före har godkända "
                "utbetalningar redan avräknat.",
                day=first_open.isoformat(),
            ),
            field="joined_on",
        )
    first = joined_on or membership.effective_day(_today(), first_open)
    _write_enrolment(session, agreement, association, rows, membership.started(periods, first))
    return _enrolment_rows(session, agreement.id, association.id)[-1]  # type: ignore[arg-type]


def withdraw(
    session: Session,
    *,
    agreement: SponsorAgreement,
    association: Association,
    allowed_municipality_ids: set[int] | None,
) -> date | None:
    """End the association's enrolment from ``membership.effective_day``, which it returns;
    the evenings before stay enrolled. None: it was not enrolled, or its enrolment had not
    begun (then nothing of it is kept)."""
    if (
        allowed_municipality_ids is not None
        and association.municipality_id not in allowed_municipality_ids
    ):
        raise RuleViolation(
            "not_your_municipality",
            _l("Du kan bara ändra föreningar i din egen kommun."),
            field="association_id",
        )
    lock_agreement(session, agreement)
    rows = _enrolment_rows(session, agreement.id, association.id)  # type: ignore[arg-type]
    periods = [_enrolment_period(row) for row in rows]
    if not membership.is_open(periods):
        return None
    effective = membership.effective_day(_today(), _begin_change(session, agreement))
    ended = membership.ended(periods, effective)
    _write_enrolment(session, agreement, association, rows, ended)
    return effective if len(ended) == len(periods) else None


def _write_enrolment(
    session: Session,
    agreement: SponsorAgreement,
    association: Association,
    rows: list[AgreementAssociation],
    periods: Sequence[Period],
) -> None:
    def make(period: Period) -> AgreementAssociation:
        return AgreementAssociation(
            agreement_id=agreement.id,  # type: ignore[arg-type]
            association_id=association.id,  # type: ignore[arg-type]
            joined_on=period[0],
            left_on=period[1],
        )

    def apply(row: AgreementAssociation, period: Period) -> None:
        row.joined_on, row.left_on = period

    _write(session, rows, periods, make, apply)
