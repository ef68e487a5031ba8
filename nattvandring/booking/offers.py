"""Reserve offers as pure rules: how long an offer holds, and who may book meanwhile.

An offer gives the first association on the reserve list the shift alone for the
municipality's window (``reserve_offer_hours``). Close to the night a full window would run
into the walk, so the window is cut to half the time left before the start: the offer still
expires in time for the next association in line to get its turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from ..clock import ensure_utc, to_local
from ..errors import RuleViolation
from ..i18n import _l


def offer_expiry(*, offered_at: datetime, shift_start: datetime, window_hours: int) -> datetime:
    """When an offer made at ``offered_at`` ends: the full window or half the time left."""
    offered, start = ensure_utc(offered_at), ensure_utc(shift_start)
    if window_hours < 1:
        raise ValueError("window_hours must be at least 1")
    full = offered + timedelta(hours=window_hours)
    half = offered + max(start - offered, timedelta(0)) / 2
    return min(full, half)


def offer_running(expires_at: datetime | None, now: datetime) -> bool:
    """Whether an open offer's window is still running at ``now`` (an offer without an
    expiry predates windows: it runs until the sweep gives it one). Only a running offer
    holds room on a shared shift; ``services_booking.offer_holds`` is the same rule in SQL."""
    return expires_at is None or ensure_utc(now) < ensure_utc(expires_at)


def check_offer_allows(
    *,
    now: datetime,
    association_id: int,
    offers: Sequence[tuple[int, datetime | None]],
) -> None:
    """May ``association_id`` book while the shift is offered (``offers``: association and
    expiry of each open offer; a shift with room for several associations can have several)?

    Nobody else may (``offered_to_other``), even just after the window: the offer goes to the
    next in line when the sweep passes it on, and until then it stays with the list. An
    offered association may book until its offer expires (``offer_expired``).
    """
    if not offers:
        return
    mine = [expires for holder, expires in offers if holder == association_id]
    if not mine:
        latest = max((e for _h, e in offers if e is not None), default=None)
        raise RuleViolation(
            "offered_to_other",
            _l(
                "Passet erbjuds just nu en förening från reservlistan (till %(until)s). "
                "Ställ er på reservlistan om ni vill ha det.",
                until=_local(latest),
            ),
        )
    expires = mine[0]
    if not offer_running(expires, now):
        raise RuleViolation(
            "offer_expired",
            _l(
                "Erbjudandet från reservlistan gick ut %(until)s och går vidare till nästa "
                "förening på listan.",
                until=_local(expires),
            ),
        )


def _local(instant: datetime | None) -> str:
    return to_local(ensure_utc(instant)).strftime("%Y-%m-%d %H:%M") if instant else ""
