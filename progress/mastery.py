"""Mastery of each objective: a two-level Rasch (1PL) ability estimate with its uncertainty.

Each answer is evidence about the learner's ability θ on the objective (in logits). The
chance of answering an item of difficulty b right is logistic(θ − b); b comes from the
item's authored difficulty (1–5), centred on 3. Objectives of one learner are related: the
learner's general level g is estimated from all their answers under a population prior,
and each objective's θ from its own answers under a prior centred on g. Both are posterior
modes with a Laplace (normal) approximation for the range. Answers count with their partial
credit (points earned / points) and weigh less as they age. docs/mastery.md explains the
choices and their numbers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import NormalDist

# Logits per authored difficulty step: a 5 is two logits harder than a 1.
DIFFICULTY_LOGITS_PER_STEP = 0.5
MEDIUM_DIFFICULTY = 3
# Population prior of a learner's general level: a medium item is a coin flip for a learner
# we know nothing about, and learners spread over about ±2 logits (docs/mastery.md).
PRIOR_MEAN = 0.0
GENERAL_SPREAD = 1.0
# How far one learner's objectives spread around their general level.
OBJECTIVE_SPREAD = 0.5
# The general level is the centre of the learner's objective abilities, and each answer is
# on one objective, which lies about OBJECTIVE_SPREAD away from it: averaged over that
# spread, the chance of a right answer is flatter in g than in the objective's ability,
# logistic((g − b) / c) with c = √(1 + π · OBJECTIVE_SPREAD² / 8) (the logistic-normal
# approximation, as in progress/item_difficulty.py). Fitting g as if every objective sat at
# g shrinks it toward the items' difficulty by that factor, and every objective leans on it
# (docs/mastery.md, "Calibration").
GENERAL_LEVEL_SCALE = math.sqrt(1 + math.pi * OBJECTIVE_SPREAD**2 / 8)
# An answer given this many days ago counts half as much as one given today.
HALF_LIFE_DAYS = 30.0
# The range shown is the central 80% of the posterior.
RANGE_MASS = 0.8
_RANGE_Z = NormalDist().inv_cdf(0.5 + RANGE_MASS / 2)
_NEWTON_STEPS = 25
_NEWTON_TOLERANCE = 1e-6
_SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class Evidence:
    """One answer: how hard the item was, the share of its points earned, and when."""

    difficulty: int
    credit: float
    moment: float  # seconds since 1970 (UTC)
    # The item's difficulty in logits when estimated from learners' answers
    # (progress/item_difficulty.py); None: the authored difficulty's.
    level: float | None = None


@dataclass(frozen=True)
class Mastery:
    """The posterior of the learner's ability on one objective, in logits."""

    ability: float
    spread: float
    weight: float  # the objective's evidence, in "fresh answers" (recency-weighted)
    # The part of `spread` that comes from not knowing the general level exactly: it is
    # shared by all the learner's objectives, so predictions draw it once per attempt.
    shared_spread: float = 0.0

    @property
    def estimate(self) -> float:
        """Chance of answering a medium-difficulty item of the objective right (0–1)."""
        return logistic(self.ability)

    @property
    def low(self) -> float:
        return logistic(self.ability - _RANGE_Z * self.spread)

    @property
    def high(self) -> float:
        return logistic(self.ability + _RANGE_Z * self.spread)


def logistic(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


def item_logit(*, difficulty: int) -> float:
    """The authored difficulty (1–5) on the ability scale; medium (3) is 0."""
    return (difficulty - MEDIUM_DIFFICULTY) * DIFFICULTY_LOGITS_PER_STEP


def chance_correct(*, ability: float, difficulty: int) -> float:
    return logistic(ability - item_logit(difficulty=difficulty))


def recency_weight(*, moment: float, now: float) -> float:
    """`moment` and `now` in seconds since 1970."""
    age_days = max(now - moment, 0.0) / _SECONDS_PER_DAY
    return 0.5 ** (age_days / HALF_LIFE_DAYS)


# Per item difficulty (in logits): the sum of the answers' weights and of their weighted
# credit. The log likelihood depends on the answers only through these sums, so each Newton
# step costs five terms instead of one per answer (a learner may have thousands).
LevelSums = dict[float, list[float]]


def level_sums(*, evidence: Iterable[Evidence], now: datetime) -> LevelSums:
    sums: LevelSums = defaultdict(lambda: [0.0, 0.0])
    now_seconds = now.timestamp()
    for item in evidence:
        weight = recency_weight(moment=item.moment, now=now_seconds)
        logit = item_logit(difficulty=item.difficulty) if item.level is None else item.level
        level = sums[logit]
        level[0] += weight
        level[1] += weight * min(max(item.credit, 0.0), 1.0)
    return sums


def estimate_mastery(
    *,
    evidence: Iterable[Evidence],
    now: datetime,
    prior_mean: float = PRIOR_MEAN,
    prior_spread: float = GENERAL_SPREAD,
) -> Mastery:
    """Posterior mode and spread of one ability given these answers and a normal prior."""
    return _posterior(
        level_sums(evidence=evidence, now=now), prior_mean=prior_mean, prior_spread=prior_spread
    )


def _posterior(
    sums: LevelSums, *, prior_mean: float, prior_spread: float, scale: float = 1.0
) -> Mastery:
    """The posterior under P(right) = logistic((ability − difficulty) / scale): `scale` 1 for
    one objective's ability, GENERAL_LEVEL_SCALE for the general level."""
    levels = [(level, weight, credit) for level, (weight, credit) in sums.items()]
    prior_precision = 1.0 / prior_spread**2
    ability = prior_mean
    information = prior_precision
    # Newton's method on a strictly concave log posterior: a few steps reach the mode.
    for _ in range(_NEWTON_STEPS if levels else 0):
        gradient = -(ability - prior_mean) * prior_precision
        information = prior_precision
        for level, weight, credit in levels:
            chance = logistic((ability - level) / scale)
            gradient += (credit - weight * chance) / scale
            information += weight * chance * (1.0 - chance) / scale**2
        step = gradient / information
        ability += max(min(step, 2.0), -2.0)  # never overshoot on all-right/all-wrong data
        if abs(step) < _NEWTON_TOLERANCE:
            break
    return Mastery(
        ability=ability,
        spread=1.0 / math.sqrt(information),
        weight=sum(weight for _, weight, _ in levels),
    )


def aged_sums(sums: LevelSums, *, made: float, now: float) -> LevelSums:
    """Level sums made at `made` as they are at `now` (seconds since 1970): every weight
    halves over the same half-life, so ageing the sums is one factor on all of them, the
    same as weighing the answers again at `now` (answers dated after `made` aside)."""
    factor = 0.5 ** (max(now - made, 0.0) / _SECONDS_PER_DAY / HALF_LIFE_DAYS)
    return {level: [weight * factor, credit * factor] for level, (weight, credit) in sums.items()}


def estimate_masteries(
    *, evidence_by_topic: Mapping[int, Sequence[Evidence]], topic_ids: Iterable[int], now: datetime
) -> dict[int, Mastery]:
    """Mastery of each of these objectives (with or without evidence) for one learner."""
    return masteries_from_sums(
        sums_by_topic={
            topic_id: level_sums(evidence=evidence, now=now)
            for topic_id, evidence in evidence_by_topic.items()
        },
        topic_ids=topic_ids,
    )


def masteries_from_sums(
    *, sums_by_topic: Mapping[int, LevelSums], topic_ids: Iterable[int]
) -> dict[int, Mastery]:
    """`estimate_masteries` from each objective's level sums (made at the same moment)."""
    # Each answer is weighed once: the general level's sums are the objectives' sums added.
    all_sums: LevelSums = defaultdict(lambda: [0.0, 0.0])
    for sums in sums_by_topic.values():
        for level, (weight, credit) in sums.items():
            all_sums[level][0] += weight
            all_sums[level][1] += credit
    general = _posterior(
        all_sums, prior_mean=PRIOR_MEAN, prior_spread=GENERAL_SPREAD, scale=GENERAL_LEVEL_SCALE
    )
    prior_variance = OBJECTIVE_SPREAD**2 + general.spread**2
    masteries = {}
    for topic_id in topic_ids:
        own = _posterior(
            sums_by_topic.get(topic_id, {}),
            prior_mean=general.ability,
            prior_spread=math.sqrt(prior_variance),
        )
        # The posterior mean leans on the general level with this share of its weight.
        prior_share = own.spread**2 / prior_variance
        masteries[topic_id] = Mastery(
            ability=own.ability,
            spread=own.spread,
            weight=own.weight,
            shared_spread=prior_share * general.spread,
        )
    return masteries
