"""Readiness: the score a learner would get on a fresh mock exam, and the chance to pass.

Pure rules, no database: progress/selectors.py gathers the inputs. The prediction is a Monte
Carlo over what a fresh attempt could be: the learner's ability per objective drawn from its
mastery posterior, the items drawn per block by the exam's blueprint from the bank, each
item answered right with the Rasch chance. It is scored like a real attempt (points earned
over points possible, scaled to the exam's maximum; pass at the exam's pass percentage).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from progress.mastery import Mastery, chance_correct

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
    # A fixed seed: the same evidence always shows the same numbers.
    rng = random.Random(seed)
    topic_ids = sorted({item.topic_id for items in shape.items_by_block.values() for item in items})
    # Each objective's spread splits into the part shared through the general level (drawn
    # once per attempt) and its own part.
    posteriors = [
        (
            topic_id,
            masteries[topic_id].ability,
            masteries[topic_id].shared_spread,
            math.sqrt(
                max(masteries[topic_id].spread ** 2 - masteries[topic_id].shared_spread ** 2, 0.0)
            ),
        )
        for topic_id in topic_ids
    ]
    scores, passes = [], 0
    for _ in range(draws):
        general = rng.gauss(0.0, 1.0)
        abilities = {
            topic_id: ability + shared * general + rng.gauss(0.0, own)
            for topic_id, ability, shared, own in posteriors
        }
        earned = possible = 0.0
        for block, count in shape.blueprint.items():
            for item in rng.sample(shape.items_by_block[block], count):
                possible += item.points
                chance = chance_correct(
                    ability=abilities[item.topic_id], difficulty=item.difficulty
                )
                if rng.random() < chance:
                    earned += item.points
        percent = 100 * earned / possible
        scores.append(shape.max_score * earned / possible)
        passes += percent >= shape.pass_percent
    scores.sort()
    tail = (1 - INTERVAL_MASS) / 2
    return Prediction(
        score=round(sum(scores) / draws),
        low=round(scores[int(tail * (draws - 1))]),
        high=round(scores[int((1 - tail) * (draws - 1))]),
        pass_probability=passes / draws,
        max_score=shape.max_score,
        pass_score=round(shape.max_score * shape.pass_percent / 100),
    )
