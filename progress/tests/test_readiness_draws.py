"""predict_score keeps the random part of its simulated attempts per exam structure.

The random numbers of a seeded prediction depend on the exam's structure, never on the
learner, so they are drawn once and every later prediction only does the arithmetic; these
tests check that this changes no figure and when the numbers are drawn again.
"""

from dataclasses import replace

import numpy as np
import pytest

from progress import readiness
from progress.readiness import BankItem, ExamShape, predict_score, simulated_shares
from progress.tests.test_readiness import learner


@pytest.fixture(autouse=True)
def no_kept_draws():
    readiness._KEPT_DRAWS.clear()
    yield
    readiness._KEPT_DRAWS.clear()


def shape_with_block_maxima() -> ExamShape:
    items = [
        BankItem(
            topic_id=1 + n % 2, difficulty=n % 5 + 1, points=(10, 20, 40)[n % 3], miss_credit=0.1
        )
        for n in range(30)
    ]
    return ExamShape(
        items_by_block={"1": items[:15], "2": items[15:]},
        blueprint={"1": 5, "2": 5},
        pass_percent=70,
        max_score=1000,
        block_points={"1": 120, "2": 130},
    )


def from_fresh_draws(masteries, shape, *, seed=0):
    shares = simulated_shares(
        masteries=masteries, shape=shape, rng=np.random.default_rng(seed), draws=readiness.DRAWS
    )
    return round(float((shape.max_score * shares).mean())), float(
        (np.round(100 * shares, 2) >= shape.pass_percent).mean()
    )


def test_every_learner_gets_the_figures_fresh_draws_give_and_the_draws_are_kept():
    shape = shape_with_block_maxima()
    for ability in (-0.5, 0.8, 2.0):  # the second and third reuse the first one's draws
        prediction = predict_score(masteries=learner(ability), shape=shape)
        score, pass_probability = from_fresh_draws(learner(ability), shape)
        assert (prediction.score, prediction.pass_probability) == (score, pass_probability)
    assert len(readiness._KEPT_DRAWS) == 1


def test_a_different_structure_or_seed_draws_again_and_item_figures_still_count():
    shape = shape_with_block_maxima()
    predict_score(masteries=learner(0.8), shape=shape)

    # Other difficulties and miss credit: the same structure, so the same random numbers,
    # but the arithmetic reads the new figures.
    harder = replace(
        shape,
        items_by_block={
            block: [replace(item, difficulty=5, miss_credit=0.0) for item in items]
            for block, items in shape.items_by_block.items()
        },
    )
    assert (
        predict_score(masteries=learner(0.8), shape=harder).score
        < predict_score(masteries=learner(0.8), shape=shape).score
    )
    assert len(readiness._KEPT_DRAWS) == 1

    # Another block maximum or another seed: drawn again.
    predict_score(masteries=learner(0.8), shape=replace(shape, block_points={"1": 130, "2": 130}))
    predict_score(masteries=learner(0.8), shape=shape, seed=1)
    assert len(readiness._KEPT_DRAWS) == 3
    score, _ = from_fresh_draws(learner(0.8), shape, seed=1)
    assert predict_score(masteries=learner(0.8), shape=shape, seed=1).score == score
