"""Sharing a budget that runs short, by the policy the agreement states in advance.

- ``by_date`` (the default): first walked, first paid. Unpaid money is taken evening by
  evening in date order; when the budget ends inside one evening, that evening's claims
  share what is left pro rata.
- ``pro_rata``: every association in the run gets the same share of its claim.

Both round to whole öre with the largest-remainder method, so the shares add up to exactly
the money available; ties go to the larger claim, then the lower association id. Never by
name. Pure: no database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date

from .earnings import BY_DATE, PRO_RATA


def pro_rata(claims: Mapping[int, int], available: int) -> dict[int, int]:
    """Split ``available`` öre over positive ``claims`` in proportion, exact to the öre.

    Everyone gets their claim when it all fits."""
    total = sum(claims.values())
    if any(c < 0 for c in claims.values()) or available < 0:
        raise ValueError("claims and available must be >= 0")
    if total <= available:
        return dict(claims)
    shares = {key: claim * available // total for key, claim in claims.items()}
    rest = available - sum(shares.values())
    order = sorted(
        claims,
        key=lambda key: (-(claims[key] * available % total), -claims[key], key),
    )
    for key in order[:rest]:
        shares[key] += 1
    return shares


def by_date(unpaid: Mapping[int, Sequence[tuple[date, int]]], available: int) -> dict[int, int]:
    """Fill claims in the order of the evenings that earned them."""
    per_day: dict[date, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for key, items in unpaid.items():
        for day, amount in items:
            if amount > 0:
                per_day[day][key] += amount
    paid: dict[int, int] = {key: 0 for key in unpaid}
    left = available
    for day in sorted(per_day):
        claims = dict(per_day[day])
        shares = pro_rata(claims, left)
        for key, share in shares.items():
            paid[key] += share
        left -= sum(shares.values())
        if left <= 0:
            break
    return paid


def allocate(
    dues: Mapping[int, int],
    unpaid: Mapping[int, Sequence[tuple[date, int]]],
    *,
    budget_left: int | None,
    policy: str,
) -> dict[int, int]:
    """What each association is paid in this run.

    ``dues`` is what each is owed now (negative: a deduction for a corrected report, which
    is always taken and frees budget); ``unpaid`` dates the positive dues for ``by_date``.
    """
    result = {key: due for key, due in dues.items() if due <= 0}
    positive = {key: due for key, due in dues.items() if due > 0}
    if budget_left is None:
        result.update(positive)
        return result
    available = max(0, budget_left - sum(result.values()))
    if sum(positive.values()) <= available:
        result.update(positive)
    elif policy == PRO_RATA:
        result.update(pro_rata(positive, available))
    elif policy == BY_DATE:
        result.update(by_date({key: unpaid.get(key, ()) for key in positive}, available))
    else:
        raise ValueError(f"unknown allocation {policy!r}")
    return result


def dated_unpaid(
    capped: Sequence[tuple[date, int]], *, paid: int, due: int, last_day: date
) -> list[tuple[date, int]]:
    """The evenings behind ``due``: the running total beyond what is already ``paid``,
    trimmed (latest first) or topped up (on ``last_day``) to exactly ``due``."""
    items: list[tuple[date, int]] = []
    skip = paid
    for day, amount in capped:
        take = amount
        if skip > 0:
            used = min(skip, take)
            skip -= used
            take -= used
        if take > 0:
            items.append((day, take))
    total = sum(a for _, a in items)
    while total > due and items:
        day, amount = items.pop()
        cut = min(amount, total - due)
        total -= cut
        if amount > cut:
            items.append((day, amount - cut))
    if total < due:
        items.append((last_day, due - total))
    return items
