"""Readiness: the score a learner would get on a fresh mock exam, and the chance to pass.

Pure rules, no database: progress/selectors.py gathers the inputs. The prediction is a Monte
Carlo over what a fresh attempt could be: the learner's ability per objective drawn from its
mastery posterior, the items drawn per block by the exam's blueprint from the bank, each
item answered right with the Rasch chance. It is scored like a real attempt (points earned
over points possible, scaled to the exam's maximum; pass at the exam's pass percentage).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

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


@dataclass(frozen=True)
class ExamShape:
    """What a mock exam draws and how it is scored, as stored on the Exam and in the bank."""

    items_by_block: Mapping[str, Sequence[BankItem]]
    blueprint: Mapping[str, int]
    pass_percent: float
    max_score: int


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
    """Predicted score and P(pass); `masteries` must cover every objective of the bank."""
    # A fixed seed: the same evidence always shows the same numbers. The draws run as
    # arrays (one row per simulated attempt): a page view can afford a few milliseconds.
    rng = np.random.default_rng(seed)
    topic_ids = sorted({item.topic_id for items in shape.items_by_block.values() for item in items})
    column = {topic_id: index for index, topic_id in enumerate(topic_ids)}
    ability = np.array([masteries[topic_id].ability for topic_id in topic_ids])
    # Each objective's spread splits into the part shared through the general level (drawn
    # once per attempt) and its own part.
    shared = np.array([masteries[topic_id].shared_spread for topic_id in topic_ids])
    own = np.sqrt(
        np.maximum(np.array([masteries[t].spread for t in topic_ids]) ** 2 - shared**2, 0.0)
    )
    general = rng.standard_normal((draws, 1))
    abilities = ability + shared * general + own * rng.standard_normal((draws, len(topic_ids)))
    attempts = np.arange(draws)[:, None]
    earned = np.zeros(draws)
    possible = np.zeros(draws)
    for block, count in shape.blueprint.items():
        items = shape.items_by_block[block]
        topics = np.array([column[item.topic_id] for item in items])
        levels = np.array([item_logit(difficulty=item.difficulty) for item in items])
        points = np.array([item.points for item in items], dtype=float)
        # `count` distinct items per attempt: the smallest of random keys, a uniform sample.
        drawn = np.argpartition(rng.random((draws, len(items))), count - 1, axis=1)[:, :count]
        chance = 1.0 / (1.0 + np.exp(levels[drawn] - abilities[attempts, topics[drawn]]))
        right = rng.random(chance.shape) < chance
        earned += (points[drawn] * right).sum(axis=1)
        possible += points[drawn].sum(axis=1)
    scores = np.sort(shape.max_score * earned / possible)
    passes = int((100 * earned / possible >= shape.pass_percent).sum())
    tail = (1 - INTERVAL_MASS) / 2
    return Prediction(
        score=round(float(scores.mean())),
        low=round(float(scores[int(tail * (draws - 1))])),
        high=round(float(scores[int((1 - tail) * (draws - 1))])),
        pass_probability=passes / draws,
        max_score=shape.max_score,
        pass_score=round(shape.max_score * shape.pass_percent / 100),
    )
