"""Drawing a block's items to its point maximum (exams/point_quota.py)."""

import random
from collections import Counter

import pytest

from exams.point_quota import PointQuotaUnsatisfiable, draw_to_points, point_mixes

# The real bank's Block 1 shape: many 20s and 30s, few 40s.
BLOCK_1 = [(n, 20) for n in range(1, 44)] + [(n, 30) for n in range(44, 93)]
BLOCK_1 += [(n, 40) for n in range(93, 107)]
POINTS = dict(BLOCK_1)


def test_point_mixes_lists_every_way_to_reach_the_block_maximum():
    mixes = point_mixes(available={20: 43, 30: 49, 40: 14}, count=7, target=180)

    assert sorted(sorted(mix.items()) for mix in mixes) == [
        [(20, 3), (30, 4)],
        [(20, 4), (30, 2), (40, 1)],
        [(20, 5), (40, 2)],
    ]


def test_point_mixes_respect_how_many_items_of_each_worth_exist():
    assert point_mixes(available={20: 4, 30: 1, 40: 0}, count=7, target=180) == []


@pytest.mark.parametrize("seed", range(20))
def test_every_draw_has_the_count_and_adds_up_to_the_target(seed):
    drawn = draw_to_points(candidates=BLOCK_1, count=7, target=180, rng=random.Random(seed))

    assert len(drawn) == len(set(drawn)) == 7
    assert sum(POINTS[pk] for pk in drawn) == 180


def test_draws_vary_over_the_possible_mixes():
    mixes = Counter(
        tuple(sorted(Counter(POINTS[pk] for pk in drawn).items()))
        for drawn in (
            draw_to_points(candidates=BLOCK_1, count=7, target=180, rng=random.Random(seed))
            for seed in range(300)
        )
    )

    assert len(mixes) == 3


def test_unseen_items_are_preferred_while_they_can_fill_the_block():
    seen = {pk for pk, _ in BLOCK_1 if pk % 2}

    for seed in range(20):
        drawn = draw_to_points(
            candidates=BLOCK_1, count=7, target=180, seen=seen, rng=random.Random(seed)
        )
        assert not seen & set(drawn)


def test_seen_items_fill_in_when_the_unseen_cannot():
    # Only 20-point items are unseen: seven of them make 140, so the draw must repeat items.
    seen = {pk for pk, points in BLOCK_1 if points != 20}

    drawn = draw_to_points(candidates=BLOCK_1, count=7, target=180, seen=seen, rng=random.Random(1))

    assert sum(POINTS[pk] for pk in drawn) == 180
    # Still as many unseen items as the chosen mix allows: every 20 in it is an unseen one.
    assert all(pk not in seen for pk in drawn if POINTS[pk] == 20)


def test_an_impossible_target_says_what_the_bank_has():
    with pytest.raises(PointQuotaUnsatisfiable) as raised:
        draw_to_points(candidates=[(1, 20), (2, 20), (3, 30)], count=2, target=80)

    assert str(raised.value) == (
        "no 2 items add up to 80 points (the bank has 2 worth 20, 1 worth 30)"
    )
