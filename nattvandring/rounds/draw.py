"""The draw of a booking round, as a pure function anyone can re-run to check a result.

1. The order: the associations that wished for anything, sorted by
   ``SHA-256("<seed>:<association id>")`` (hex). The seed is secret until the draw; its
   SHA-256 is published when the round opens, so nobody (the coordinator included) can
   choose a seed after seeing the wishes.
2. The picks: a snake draft. In round 1 each association in that order takes its
   highest-ranked night that still has room and that it does not already have; round 2 goes
   in the reverse order, round 3 forward again, and so on until nobody can take anything.
   A night has room for ``capacity[shift]`` associations; an association takes at most
   ``max_per_association`` nights (``None``: no maximum).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Pick:
    number: int  # 1, 2, ... over the whole draw
    draft_round: int  # 1, 2, ...
    association_id: int
    shift_id: int


@dataclass
class DrawResult:
    order: list[int]
    picks: list[Pick] = field(default_factory=list)

    def nights_of(self, association_id: int) -> list[int]:
        return [p.shift_id for p in self.picks if p.association_id == association_id]


def order_key(seed: str, association_id: int) -> str:
    return hashlib.sha256(f"{seed}:{association_id}".encode()).hexdigest()


def seed_commitment(seed: str) -> str:
    """What is published while the round is open: the SHA-256 of the seed."""
    return hashlib.sha256(seed.encode()).hexdigest()


def draw_order(seed: str, association_ids: Sequence[int]) -> list[int]:
    return sorted(set(association_ids), key=lambda aid: (order_key(seed, aid), aid))


def draw(
    *,
    seed: str,
    wishes: Mapping[int, Sequence[int]],
    capacity: Mapping[int, int],
    max_per_association: int | None,
) -> DrawResult:
    """Run the draw. ``wishes``: association -> shift ids, most wanted first (a shift not in
    ``capacity`` is ignored). ``capacity``: shift -> associations it can still take."""
    if max_per_association is not None and max_per_association < 1:
        raise ValueError("max_per_association must be at least 1 or None")
    ranked = {
        aid: list(dict.fromkeys(s for s in shifts if s in capacity))
        for aid, shifts in wishes.items()
    }
    order = draw_order(seed, [aid for aid, shifts in ranked.items() if shifts])
    taken = dict.fromkeys(capacity, 0)
    got: dict[int, set[int]] = {aid: set() for aid in order}
    result = DrawResult(order=order)
    draft_round = 0
    while True:
        draft_round += 1
        turn = order if draft_round % 2 == 1 else list(reversed(order))
        picked = False
        for aid in turn:
            if max_per_association is not None and len(got[aid]) >= max_per_association:
                continue
            choice = next(
                (s for s in ranked[aid] if s not in got[aid] and taken[s] < capacity[s]), None
            )
            if choice is None:
                continue
            taken[choice] += 1
            got[aid].add(choice)
            result.picks.append(Pick(len(result.picks) + 1, draft_round, aid, choice))
            picked = True
        if not picked:
            return result
