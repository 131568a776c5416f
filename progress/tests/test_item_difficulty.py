"""Item difficulties estimated from learners' answers, leaning on the authored ones."""

import pytest
from django.utils import timezone

from exams.tests.factories import (
    ExamSessionFactory,
    QuestionFactory,
    TopicFactory,
    UserResponseFactory,
)
from progress.item_difficulty import ItemCounts, estimate_levels
from progress.mastery import Evidence, estimate_masteries, item_logit
from progress.miss_credit import NO_MISS_CREDIT, estimate_miss_credit

TOPIC = 1


def counts(question_id: int, *, answers: int, right: int, difficulty: int = 3) -> ItemCounts:
    return ItemCounts(
        question_id=question_id, topic_id=TOPIC, difficulty=difficulty, answers=answers,
        right=right,
    )  # fmt: skip


def test_an_item_answered_right_less_often_than_its_peers_is_harder():
    levels = estimate_levels(
        [counts(1, answers=400, right=100), counts(2, answers=400, right=200),
         counts(3, answers=400, right=300)]
    )  # fmt: skip
    assert levels[1] > levels[2] + 0.5 > levels[3] + 1.0
    # The objective's items keep their authored average: the population's level on it
    # cannot be told apart from how hard it is.
    assert sum(levels.values()) / 3 == pytest.approx(item_logit(difficulty=3), abs=0.05)


def test_few_answers_leave_the_authored_difficulty_nearly_as_it_was():
    # The same shares right (a quarter, three quarters) from 4 answers or from 400.
    thin = estimate_levels([counts(1, answers=4, right=1), counts(2, answers=4, right=3)])
    thick = estimate_levels([counts(1, answers=400, right=100), counts(2, answers=400, right=300)])
    assert 0 < thin[1] - item_logit(difficulty=3) < 0.35
    assert thick[1] - item_logit(difficulty=3) > 0.6
    # Unanswered items are left to their authored difficulty (not in the map).
    assert 3 not in estimate_levels([counts(3, answers=0, right=0)])


def test_items_of_other_objectives_do_not_shift_an_objectives_items():
    alone = estimate_levels([counts(1, answers=300, right=150), counts(2, answers=300, right=150)])
    elsewhere = ItemCounts(question_id=9, topic_id=2, difficulty=3, answers=300, right=30)
    with_other = estimate_levels(
        [counts(1, answers=300, right=150), counts(2, answers=300, right=150), elsewhere]
    )
    assert with_other[1] == alone[1] == pytest.approx(0.0)


def answer(question, *, right: bool):
    return UserResponseFactory(
        session=ExamSessionFactory(exam=question.exam),
        question=question,
        is_correct=right,
        points_earned=question.points if right else 0,
        answered_at=timezone.now(),
    )


@pytest.mark.django_db
def test_the_population_figures_carry_the_estimated_difficulties():
    topic = TopicFactory()
    hard = QuestionFactory(topic=topic, difficulty=3)
    easy = QuestionFactory(topic=topic, difficulty=3)
    for index in range(60):
        answer(hard, right=index % 4 == 0)  # a quarter right
        answer(easy, right=index % 4 != 0)  # three quarters right
    unanswered = QuestionFactory(topic=topic, difficulty=5)

    figures = estimate_miss_credit()

    assert figures.level_of(question_id=hard.pk, difficulty=3) > 0.4
    assert figures.level_of(question_id=easy.pk, difficulty=3) < -0.4
    assert figures.level_of(question_id=unanswered.pk, difficulty=5) == item_logit(difficulty=5)
    assert NO_MISS_CREDIT.level_of(question_id=hard.pk, difficulty=3) == 0.0


def test_mastery_reads_an_estimated_difficulty_instead_of_the_authored_one():
    now = timezone.now()

    def mastery(level):
        evidence = [Evidence(difficulty=3, credit=1.0, moment=now.timestamp(), level=level)] * 6
        evidence += [Evidence(difficulty=3, credit=0.0, moment=now.timestamp(), level=level)] * 4
        return estimate_masteries(evidence_by_topic={1: evidence}, topic_ids=[1], now=now)[1]

    # Six of ten right on items found to be a logit harder shows more ability.
    assert mastery(1.0).ability > mastery(None).ability + 0.3
    assert mastery(0.0).ability == pytest.approx(mastery(None).ability)
