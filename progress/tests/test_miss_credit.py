"""What a miss still earns: estimated from learners' misses, used by mastery and readiness."""

import pytest
from django.utils import timezone

from exams.tests.factories import ExamSessionFactory, QuestionFactory, UserResponseFactory
from progress.mastery import Mastery
from progress.miss_credit import (
    ITEM_PSEUDO_MISSES,
    NO_MISS_CREDIT,
    MissCredit,
    estimate_miss_credit,
    miss_credit,
)
from progress.readiness import BankItem, ExamShape, predict_score


def miss(question, *, earned: float, correct: bool = False):
    return UserResponseFactory(
        session=ExamSessionFactory(exam=question.exam),
        question=question,
        is_correct=correct,
        points_earned=earned,
        answered_at=timezone.now(),
    )


@pytest.mark.django_db
def test_partial_credit_of_misses_is_learned_per_item_and_shrunk_to_its_kind():
    multiple = QuestionFactory(kind="multiple", points=40)
    another_multiple = QuestionFactory(kind="multiple", points=40)
    single = QuestionFactory(kind="single", points=20)
    for _ in range(20):
        miss(multiple, earned=20)  # every miss of it earns half its points
    miss(another_multiple, earned=0)  # one miss that earned nothing
    for _ in range(5):
        miss(single, earned=0)
    miss(multiple, earned=40, correct=True)  # full answers are not misses

    credit = estimate_miss_credit()

    assert 0.45 < credit.of(question_id=multiple.pk, kind="multiple") < 0.5
    # One miss of its own: it leans on the kind's average, not on that one zero.
    kind_average = credit.by_kind["multiple"]
    assert 0.4 < kind_average < 0.5
    assert credit.of(question_id=another_multiple.pk, kind="multiple") == pytest.approx(
        ITEM_PSEUDO_MISSES * kind_average / (1 + ITEM_PSEUDO_MISSES)
    )
    assert credit.of(question_id=single.pk, kind="single") == 0.0
    # An item nobody has missed yet gets its kind's average; an unseen kind, nothing.
    assert credit.of(question_id=10**9, kind="multiple") == kind_average
    assert credit.of(question_id=10**9, kind="order") == 0.0


def test_an_answers_credit_is_mapped_onto_the_fully_right_scale():
    credit = MissCredit(by_question={1: 0.5}, by_kind={"multiple": 0.25})

    assert credit.full_credit_share(credit=1.0, question_id=1, kind="multiple") == 1.0
    # The usual miss of the item is no evidence of knowing it ...
    assert credit.full_credit_share(credit=0.5, question_id=1, kind="multiple") == 0.0
    # ... a closer miss is some, a worse one is none (never negative).
    assert credit.full_credit_share(credit=0.75, question_id=1, kind="multiple") == 0.5
    assert credit.full_credit_share(credit=0.25, question_id=1, kind="multiple") == 0.0
    # All-or-nothing items keep their credit as it is.
    assert NO_MISS_CREDIT.full_credit_share(credit=0.5, question_id=1, kind="multiple") == 0.5


def test_a_prediction_counts_what_the_misses_earn():
    def shape(miss_share: float) -> ExamShape:
        items = [
            BankItem(topic_id=1, difficulty=3, points=40, miss_credit=miss_share) for _ in range(20)
        ]
        return ExamShape(
            items_by_block={"1": items}, blueprint={"1": 10}, pass_percent=70, max_score=1000
        )

    masteries = {1: Mastery(ability=0.0, spread=0.1, weight=50, shared_spread=0.05)}
    all_or_nothing = predict_score(masteries=masteries, shape=shape(0.0))
    half_for_a_miss = predict_score(masteries=masteries, shape=shape(0.5))

    # A coin-flip learner: about 500 with nothing for a miss, about 750 with half.
    assert 450 <= all_or_nothing.score <= 550
    assert 700 <= half_for_a_miss.score <= 800
    assert half_for_a_miss.pass_probability > all_or_nothing.pass_probability


@pytest.mark.django_db
def test_the_population_figures_are_read_once_and_then_cached(django_assert_num_queries):
    question = QuestionFactory(kind="multiple", points=40)
    miss(question, earned=20)
    with django_assert_num_queries(1):
        first = miss_credit()
    miss(question, earned=0)
    with django_assert_num_queries(0):
        assert miss_credit() == first
