"""Drawing a block's items so their points add up to the block's maximum, as on the real exam.

PCEP-30-02 fixes each block's share of the 1000 points (180 / 290 / 250 / 280), whatever
items are drawn. With items worth 20, 30 or 40 points, that is a choice of how many items of
each worth to draw (Block 1: seven items worth 180 is five 20s and two 40s, or three 20s
and four 30s, …). This module picks such a mix at random among those the bank can satisfy,
weighted by how many item sets each allows (so every satisfying set of items is about
equally likely), preferring mixes the learner's unseen items can fill, then draws the items.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence


class PointQuotaUnsatisfiable(ValueError):
    """No `count` items of the bank add up to `target` points."""


def point_mixes(*, available: dict[int, int], count: int, target: int) -> list[dict[int, int]]:
    """Every way to take `count` items worth `target` points from `available` (worth → how
    many items), as worth → number taken."""
    worths = sorted(available)
    mixes: list[dict[int, int]] = []

    def extend(index: int, left: int, points: int, taken: dict[int, int]) -> None:
        if index == len(worths):
            if left == 0 and points == 0:
                mixes.append(dict(taken))
            return
        worth = worths[index]
        for number in range(min(available[worth], left) + 1):
            if number * worth > points:
                break
            if number:
                taken[worth] = number
            extend(index + 1, left - number, points - number * worth, taken)
            taken.pop(worth, None)

    extend(0, count, target, {})
    return mixes


def worth_summary(available: dict[int, int]) -> str:
    """'43 worth 20, 49 worth 30' for worth → how many items."""
    return (
        ", ".join(f"{number} worth {worth}" for worth, number in sorted(available.items()))
        or "none"
    )


def sets_allowed(mix: dict[int, int], available: dict[int, int]) -> int:
    """How many different item sets of the bank this mix of worths allows."""
    return math.prod(math.comb(available[worth], number) for worth, number in mix.items())


def _choose_mix(mixes: Sequence[dict[int, int]], available: dict[int, int], rng) -> dict:
    weights = [sets_allowed(mix, available) for mix in mixes]
    return rng.choices(mixes, weights=weights, k=1)[0]


def draw_to_points(
    *,
    candidates: Iterable[tuple[int, int]],
    count: int,
    target: int,
    seen: set[int] = frozenset(),
    rng: random.Random | None = None,
) -> list[int]:
    """`count` question ids from `candidates` ((id, points) pairs) worth exactly `target`.

    Unseen items first: a mix the unseen items alone can fill is preferred; otherwise any
    mix the whole pool can fill, filled with unseen items before seen ones.
    """
    rng = rng or random.SystemRandom()
    by_worth: dict[int, list[int]] = defaultdict(list)
    unseen_by_worth: dict[int, list[int]] = defaultdict(list)
    for pk, points in candidates:
        by_worth[points].append(pk)
        if pk not in seen:
            unseen_by_worth[points].append(pk)
    for pool in (unseen_by_worth, by_worth):
        available = {worth: len(ids) for worth, ids in pool.items() if ids}
        mixes = point_mixes(available=available, count=count, target=target)
        if mixes:
            break
    else:
        worths = (
            ", ".join(f"{len(ids)} worth {worth}" for worth, ids in sorted(by_worth.items()))
            or "none"
        )
        raise PointQuotaUnsatisfiable(
            f"no {count} items add up to {target} points (the bank has {worths})"
        )
    drawn: list[int] = []
    for worth, number in sorted(_choose_mix(mixes, available, rng).items()):
        fresh = [pk for pk in by_worth[worth] if pk not in seen]
        again = [pk for pk in by_worth[worth] if pk in seen]
        rng.shuffle(fresh)
        rng.shuffle(again)
        drawn.extend((fresh + again)[:number])
    # The block's items in a random order, not grouped by worth.
    rng.shuffle(drawn)
    return drawn
