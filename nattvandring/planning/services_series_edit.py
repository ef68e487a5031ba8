"""Changing or cancelling the future of a series, behind a preview and a confirmation gate.

Nothing changes until the coordinator has seen which shifts are affected; when booked shifts
are among them, an explicit confirmation is required as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from sqlmodel import Session, select

from .. import events
from ..audit.services import record
from ..booking.rules import check_coordinator_cancel
from ..clock import utcnow
from ..errors import RuleViolation
from ..i18n import _l
from .models import PatrolArea, Shift, ShiftSeries, ShiftStatus
from .schedule import evening_of
from .services_common import booked_shift_ids, cancel_shift_row, touch
from .services_shifts import local_instants
from .validation import check_distinct_times


@dataclass
class AffectedShift:
    shift: Shift
    area_name: str
    booked: bool
    new_start: datetime | None = None
    new_end: datetime | None = None


@dataclass
class SeriesPreview:
    affected: list[AffectedShift] = field(default_factory=list)

    @property
    def booked_count(self) -> int:
        return sum(1 for item in self.affected if item.booked)

    @property
    def needs_confirmation(self) -> bool:
        return self.booked_count > 0


def future_shifts(session: Session, series: ShiftSeries) -> list[tuple[Shift, str]]:
    """The series' shifts that have not started and are not cancelled, with area names."""
    rows = session.exec(
        select(Shift, PatrolArea.name)
        .join(PatrolArea, PatrolArea.id == Shift.area_id)
        .where(
            Shift.series_id == series.id,
            Shift.start_at > utcnow(),
            Shift.status != ShiftStatus.CANCELLED,
        )
        .order_by(Shift.start_at, PatrolArea.name)
    )
    return [(shift, name) for shift, name in rows]


def preview_time_change(
    session: Session, series: ShiftSeries, *, start_time: time, end_time: time
) -> SeriesPreview:
    """Which future shifts would move to the new local times (unchanged ones are left out)."""
    check_distinct_times(start_time, end_time)
    rows = future_shifts(session, series)
    booked = booked_shift_ids(session, [shift.id for shift, _ in rows if shift.id])
    preview = SeriesPreview()
    for shift, area_name in rows:
        start, end = local_instants(evening_of(shift.start_at), start_time, end_time)
        if start == shift.start_at and end == shift.end_at:
            continue
        preview.affected.append(
            AffectedShift(shift, area_name, shift.id in booked, new_start=start, new_end=end)
        )
    return preview


def preview_cancel(session: Session, series: ShiftSeries) -> SeriesPreview:
    rows = future_shifts(session, series)
    booked = booked_shift_ids(session, [shift.id for shift, _ in rows if shift.id])
    return SeriesPreview(
        [AffectedShift(shift, area_name, shift.id in booked) for shift, area_name in rows]
    )


def _check_confirmed(preview: SeriesPreview, confirmed: bool) -> None:
    if not preview.affected:
        raise RuleViolation("nothing_to_change", _l("Inga kommande pass påverkas."))
    if preview.needs_confirmation and not confirmed:
        raise RuleViolation(
            "confirmation_required",
            _l(
                "Bekräfta att du förstår att %(count)s bokade pass påverkas.",
                count=preview.booked_count,
            ),
            field="confirm",
        )


def apply_time_change(
    session: Session,
    series: ShiftSeries,
    *,
    start_time: time,
    end_time: time,
    confirmed: bool,
    actor_id: int | None,
) -> SeriesPreview:
    """Move the series' future shifts to new local times; emits ShiftChanged per shift."""
    preview = preview_time_change(session, series, start_time=start_time, end_time=end_time)
    _check_confirmed(preview, confirmed)
    for item in preview.affected:
        shift = item.shift
        assert item.new_start is not None and item.new_end is not None
        shift.start_at, shift.end_at = item.new_start, item.new_end
        touch(shift)
        session.add(shift)
    series.start_time, series.end_time = start_time, end_time
    session.add(series)
    session.flush()
    for item in preview.affected:
        assert item.shift.id is not None
        events.emit(
            session,
            events.ShiftChanged(shift_id=item.shift.id, time_changed=True, place_changed=False),
        )
    record(
        session,
        actor_id=actor_id,
        action="series.edited",
        object_type="shift_series",
        object_id=series.id,
        municipality_id=series.municipality_id,
        details=(
            f"nya tider {start_time:%H:%M}–{end_time:%H:%M}; "
            f"ändrade pass {len(preview.affected)}, varav bokade {preview.booked_count}"
        ),
    )
    return preview


def apply_cancel(
    session: Session,
    series: ShiftSeries,
    *,
    reason: str,
    confirmed: bool,
    actor_id: int | None,
) -> SeriesPreview:
    """Cancel the series' remaining future shifts (and their bookings)."""
    check_coordinator_cancel(reason=reason)
    preview = preview_cancel(session, series)
    _check_confirmed(preview, confirmed)
    for item in preview.affected:
        cancel_shift_row(session, item.shift, reason=reason, actor_id=actor_id)
    record(
        session,
        actor_id=actor_id,
        action="series.cancelled",
        object_type="shift_series",
        object_id=series.id,
        municipality_id=series.municipality_id,
        details=(
            f"{reason.strip()[:300]}; inställda pass {len(preview.affected)}, "
            f"varav bokade {preview.booked_count}"
        ),
    )
    return preview
