"""Readiness: the score a learner would get on a fresh mock exam, and the chance to pass.

Pure rules, no database: progress/selectors.py gathers the inputs. The prediction is a Monte
Carlo over what a fresh attempt could be: the learner's ability per objective drawn from its
mastery posterior, the items drawn per block by the exam's blueprint from the bank, each
item answered fully right with the Rasch chance and otherwise earning what a miss of it
earns (progress/miss_credit.py). It is scored like a real attempt (points earned
over points possible, scaled to the exam's maximum; pass at the exam's pass percentage).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from exams.point_quota import PointQuotaUnsatisfiable, point_mixes, sets_allowed, worth_summary
from progress.mastery import Mastery, item_logit

# Enough draws that P(pass) and the range move by well under a percent between seeds, and
# few enough for a page view (docs/mastery.md).
DRAWS = 1000
INTERVAL_MASS = 0.8


@dataclass(frozen=True)
class BankItem:
    topic_id: int
    difficulty: int
    points: int
    # The share of the points a miss still earns (progress/miss_credit.py).
    miss_credit: float = 0.0
    # The item's difficulty in logits when it is known better than the authored one
    # (estimated from learners' responses); None: the authored difficulty's.
    level: float | None = None

    @property
    def logit(self) -> float:
        return item_logit(difficulty=self.difficulty) if self.level is None else self.level


@dataclass(frozen=True)
class ExamShape:
    """What a mock exam draws and how it is scored, as stored on the Exam and in the bank."""

    items_by_block: Mapping[str, Sequence[BankItem]]
    blueprint: Mapping[str, int]
    pass_percent: float
    max_score: int
    # The points each block's items add up to (Exam.block_points); empty: any mix.
    block_points: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Prediction:
    score: int  # expected score out of max_score
    low: int  # the central INTERVAL_MASS of the predicted scores
    high: int
    pass_probability: float
    max_score: int
    pass_score: int


def predict_score(
    *, masteries: Mapping[int, Mastery], shape: ExamShape, seed: int = 0, draws: int = DRAWS
) -> Prediction:
    """Predicted score and P(pass); `masteries` must cover every objective of the bank.

    Raises PointQuotaUnsatisfiable when a block's items cannot reach its point maximum."""
    # A fixed seed: the same evidence always shows the same numbers.
    shares = _shares(
        masteries=masteries,
        shape=shape,
        randomness=_seeded_draws(shape=shape, seed=seed, draws=draws),
    )
    scores = np.sort(shape.max_score * shares)
    # Passed as a real attempt is: its percentage, to two decimals, at the pass mark.
    passes = int((np.round(100 * shares, 2) >= shape.pass_percent).sum())
    tail = (1 - INTERVAL_MASS) / 2
    return Prediction(
        score=round(float(scores.mean())),
        low=round(float(scores[int(tail * (draws - 1))])),
        high=round(float(scores[int((1 - tail) * (draws - 1))])),
        pass_probability=passes / draws,
        max_score=shape.max_score,
        pass_score=round(shape.max_score * shape.pass_percent / 100),
    )


def simulated_shares(
    *, masteries: Mapping[int, Mastery], shape: ExamShape, rng: np.random.Generator, draws: int
) -> np.ndarray:
    """The share of the points possible (0–1) earned in each of `draws` simulated fresh
    attempts."""
    return _shares(
        masteries=masteries,
        shape=shape,
        randomness=_attempt_draws(shape=shape, rng=rng, draws=draws),
    )


@dataclass(frozen=True)
class _PoolDraws:
    """One pool's random part of the simulated attempts: the positions in the pool of the
    items each attempt drew, which of them count (`taken` may differ between attempts), and
    the uniform numbers that decide whether each is answered right."""

    block: str
    worth: int | None  # the pool's item worth when the block has a point maximum
    drawn: np.ndarray
    used: np.ndarray
    uniforms: np.ndarray


@dataclass(frozen=True)
class _AttemptDraws:
    """Every random number of simulated attempts of one exam shape. They depend on the
    shape's structure (its blocks, their items' objectives and worths) and the generator,
    not on the learner: `predict_score` keeps the set of its seed per structure, so a page
    view runs only the arithmetic (docs/capacity.md)."""

    general: np.ndarray  # per attempt, the draw of the general level's shared part
    own: np.ndarray  # per attempt and objective, the draw of the objective's own part
    pools: tuple[_PoolDraws, ...]


def _topic_ids(shape: ExamShape) -> list[int]:
    return sorted({item.topic_id for items in shape.items_by_block.values() for item in items})


def _pools(items: Sequence[BankItem], *, target: int | None) -> dict[int | None, list[BankItem]]:
    """The block's items as drawn: one pool, or with a point maximum one pool per worth."""
    if not target:
        return {None: list(items)}
    by_worth: dict[int | None, list[BankItem]] = {}
    for item in items:
        by_worth.setdefault(item.points, []).append(item)
    return by_worth


def _attempt_draws(*, shape: ExamShape, rng: np.random.Generator, draws: int) -> _AttemptDraws:
    general = rng.standard_normal((draws, 1))
    own = rng.standard_normal((draws, len(_topic_ids(shape))))
    pools = []
    for block, count in shape.blueprint.items():
        target = shape.block_points.get(block)
        by_worth = _pools(shape.items_by_block[block], target=target)
        for worth, taken in _taken_per_pool(
            by_worth, count=count, target=target, draws=draws, rng=rng
        ):
            # `taken` distinct items per attempt: the smallest of random keys, a uniform
            # sample; columns beyond `taken` are masked.
            width = int(taken.max())
            if width == 0:
                continue
            keys = rng.random((draws, len(by_worth[worth])))
            drawn = np.argpartition(keys, width - 1, axis=1)[:, :width]
            pools.append(
                _PoolDraws(
                    block=block,
                    worth=worth,
                    drawn=drawn,
                    used=np.arange(width)[None, :] < taken[:, None],
                    uniforms=rng.random((draws, width)),
                )
            )
    return _AttemptDraws(general=general, own=own, pools=tuple(pools))


def _taken_per_pool(by_worth, *, count: int, target: int | None, draws: int, rng):
    """How many items each simulated attempt draws from each pool, as (worth, per attempt)
    pairs: `count` from the whole block, or, with a point maximum, a mix of worths chosen per
    attempt as exams/point_quota.py chooses it for a real attempt."""
    if not target:
        return [(None, np.full(draws, count))]
    available = {worth: len(pool) for worth, pool in by_worth.items()}
    mixes = point_mixes(available=available, count=count, target=target)
    if not mixes:
        raise PointQuotaUnsatisfiable(
            f"no {count} items add up to {target} points (the bank has {worth_summary(available)})"
        )
    weights = np.array([sets_allowed(mix, available) for mix in mixes], dtype=float)
    chosen = rng.choice(len(mixes), size=draws, p=weights / weights.sum())
    return [
        (worth, np.array([mixes[index].get(worth, 0) for index in range(len(mixes))])[chosen])
        for worth in by_worth
    ]


# The seeded random parts `predict_score` keeps, per exam structure, seed and draw count: a
# few exams' worth (each about 1 MB), per process.
_KEPT_DRAWS: OrderedDict[tuple, _AttemptDraws] = OrderedDict()
_KEPT_DRAWS_MAX = 8


def _seeded_draws(*, shape: ExamShape, seed: int, draws: int) -> _AttemptDraws:
    structure = tuple(
        (
            block,
            count,
            shape.block_points.get(block),
            tuple((item.topic_id, item.points) for item in shape.items_by_block[block]),
        )
        for block, count in shape.blueprint.items()
    )
    key = (seed, draws, structure)
    found = _KEPT_DRAWS.get(key)
    if found is None:
        found = _attempt_draws(shape=shape, rng=np.random.default_rng(seed), draws=draws)
        _KEPT_DRAWS[key] = found
        while len(_KEPT_DRAWS) > _KEPT_DRAWS_MAX:
            _KEPT_DRAWS.popitem(last=False)
    return found


def _shares(
    *, masteries: Mapping[int, Mastery], shape: ExamShape, randomness: _AttemptDraws
) -> np.ndarray:
    """The simulated attempts' shares of the points possible, from their random numbers."""
    # The draws run as arrays (one row per simulated attempt): a page view can afford a few
    # milliseconds.
    topic_ids = _topic_ids(shape)
    column = {topic_id: index for index, topic_id in enumerate(topic_ids)}
    ability = np.array([masteries[topic_id].ability for topic_id in topic_ids])
    # Each objective's spread splits into the part shared through the general level (drawn
    # once per attempt) and its own part.
    shared = np.array([masteries[topic_id].shared_spread for topic_id in topic_ids])
    own = np.sqrt(
        np.maximum(np.array([masteries[t].spread for t in topic_ids]) ** 2 - shared**2, 0.0)
    )
    abilities = ability + shared * randomness.general + own * randomness.own
    draws = abilities.shape[0]
    attempts = np.arange(draws)[:, None]
    earned = np.zeros(draws)
    possible = np.zeros(draws)
    pools = {
        block: _pools(shape.items_by_block[block], target=shape.block_points.get(block))
        for block in shape.blueprint
    }
    for pool in randomness.pools:
        items = pools[pool.block][pool.worth]
        topics = np.array([column[item.topic_id] for item in items])
        levels = np.array([item.logit for item in items])
        points = np.array([item.points for item in items], dtype=float)
        miss = np.array([item.miss_credit for item in items])
        drawn = pool.drawn
        chance = 1.0 / (1.0 + np.exp(levels[drawn] - abilities[attempts, topics[drawn]]))
        right = pool.uniforms < chance
        credit = np.where(right, 1.0, miss[drawn]) * pool.used
        earned += (points[drawn] * credit).sum(axis=1)
        possible += (points[drawn] * pool.used).sum(axis=1)
    return earned / possible
