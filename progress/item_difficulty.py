"""Item difficulties estimated from every learner's answers, leaning on the authored ones.

An item's authored difficulty (1–5) says roughly how hard it is; how often learners answer
it fully right says more once enough of them have. Within one objective every item is
answered by the same population (draws are random), so an item answered right less often
than its objective's other items is harder than they are, by an amount the logistic model
fixes: with abilities spread around their mean, logit(share right) ≈ (mean − b) / c with
c = √(1 + π s² / 8) (the logistic-normal approximation; s² the model's prior variance of an
ability, progress/mastery.py). Each item's estimate from its share right is anchored so
that the objective's items keep their authored average (the population's level on an
objective cannot be told apart from the objective's difficulty), then shrunk toward the
authored difficulty by its precision: an item with few answers keeps its authored value.

Pure rules: progress/miss_credit.py reads the per-item counts in the same aggregate query
as the credit of misses, and caches both (docs/mastery.md, "Item difficulties").
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from progress.mastery import GENERAL_SPREAD, OBJECTIVE_SPREAD, item_logit

# How far an item's true difficulty may lie from its authored one, in logits: about one
# authored step (0.5 logits) either way.
AUTHORED_SPREAD = 0.5
# Estimates are kept on a grid of this many logits: mastery's Newton steps then sum over a
# few dozen distinct difficulties instead of one per item (progress/mastery.py level_sums),
# at an error of at most a fortieth of a logit.
LEVEL_STEP = 0.05
# Logistic-normal: a population of abilities spread by s makes an item's share right the
# logistic of (mean − b) / c.
_SPREAD_FACTOR = math.sqrt(1 + math.pi * (GENERAL_SPREAD**2 + OBJECTIVE_SPREAD**2) / 8)


@dataclass(frozen=True)
class ItemCounts:
    question_id: int
    topic_id: int
    difficulty: int  # authored, 1–5
    answers: int
    right: int  # answers that earned the full points


def estimate_levels(counts: Iterable[ItemCounts]) -> Mapping[int, float]:
    """Each answered item's difficulty in logits (items without answers are left out:
    their authored difficulty stands)."""
    by_topic: dict[int, list[tuple[int, float, float, float]]] = defaultdict(list)
    for item in counts:
        if item.answers <= 0:
            continue
        # Half an answer each way keeps all-right and all-wrong items finite.
        share = (min(max(item.right, 0), item.answers) + 0.5) / (item.answers + 1)
        from_share = -_SPREAD_FACTOR * math.log(share / (1 - share))
        variance = _SPREAD_FACTOR**2 / ((item.answers + 1) * share * (1 - share))
        authored = item_logit(difficulty=item.difficulty)
        by_topic[item.topic_id].append((item.question_id, authored, from_share, variance))
    levels = {}
    prior = AUTHORED_SPREAD**2
    for items in by_topic.values():
        # The shift that gives the objective's items their authored average (precision-
        # weighted), then each item's own offset shrunk toward its authored difficulty.
        weights = [1 / (variance + prior) for _, _, _, variance in items]
        shift = sum(
            weight * (authored - from_share)
            for weight, (_, authored, from_share, _) in zip(weights, items, strict=True)
        ) / sum(weights)
        for question_id, authored, from_share, variance in items:
            offset = from_share + shift - authored
            level = authored + offset * prior / (prior + variance)
            levels[question_id] = round(level / LEVEL_STEP) * LEVEL_STEP
    return levels
