"""The trend selectors: mock-exam scores, accuracy per day, difficulty and answer stats."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.tests.factories import UserFactory
from exams.models import Exam, ExamSession
from exams.tests.factories import (
    ExamFactory,
    ExamSessionFactory,
    ModuleFactory,
    QuestionFactory,
    TopicFactory,
    UserResponseFactory,
)
from progress import trends

NOW = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)


@pytest.fixture
def two_blocks(db):
    first = TopicFactory(module=ModuleFactory(number=1, name="Basics"), code="1.1")
    second = TopicFactory(module=ModuleFactory(number=2, name="Flow"), code="2.1")
    return first, second


def answer(*, user, topic, at, earned, points=20, difficulty=2, seconds=30.0, session=None):
    """One answered item of `points`, `earned` of them earned (all of them: correct)."""
    session = session or ExamSessionFactory(user=user, mode=ExamSession.Mode.PRACTICE)
    question = QuestionFactory(topic=topic, points=points, difficulty=difficulty)
    return UserResponseFactory(
        session=session,
        question=question,
        points_earned=earned,
        is_correct=earned == points,
        answered_at=at,
        time_taken=seconds,
    )


def finished_mock(*, user, exam, at, percent, scaled, passed):
    return ExamSessionFactory(
        user=user,
        exam=exam,
        is_completed=True,
        end_time=at,
        score=percent,
        scaled_score=scaled,
        passed=passed,
    )


@pytest.mark.django_db
def test_mock_exam_scores_are_the_finished_mock_attempts_in_time_order(user):
    mock = ExamFactory(kind=Exam.Kind.MOCK, title="PCEP mock", max_score=1000, pass_percent=70)
    finished_mock(
        user=user, exam=mock, at=NOW - timedelta(days=1), percent=72.0, scaled=720, passed=True
    )
    finished_mock(
        user=user, exam=mock, at=NOW - timedelta(days=5), percent=55.0, scaled=550, passed=False
    )
    ExamSessionFactory(user=user, exam=mock)  # in progress
    finished_mock(
        user=user,
        exam=ExamFactory(kind=Exam.Kind.FIXED),
        at=NOW,
        percent=90.0,
        scaled=900,
        passed=True,
    )
    finished_mock(user=UserFactory(), exam=mock, at=NOW, percent=99.0, scaled=990, passed=True)

    scores = trends.mock_exam_scores(user=user)

    assert [(s.score, s.max_score, s.percent, s.passed) for s in scores] == [
        (550, 1000, 55.0, False),
        (720, 1000, 72.0, True),
    ]
    assert scores[0].finished_at < scores[1].finished_at
    assert (scores[0].pass_percent, scores[0].pass_mark) == (70, 700)
    assert scores[0].exam_title == "PCEP mock"


@pytest.mark.django_db
def test_block_accuracy_groups_by_block_and_day_with_partial_credit(user, two_blocks):
    first, second = two_blocks
    day_one = NOW - timedelta(days=2)
    answer(user=user, topic=first, at=day_one, earned=20)
    answer(user=user, topic=first, at=day_one + timedelta(hours=1), earned=10)  # half right
    answer(user=user, topic=first, at=NOW, earned=0)
    answer(user=user, topic=second, at=NOW, earned=40, points=40)
    answer(user=UserFactory(), topic=second, at=NOW, earned=0)  # someone else's

    result = trends.block_accuracy_by_day(user=user, days=30, now=NOW)

    assert [(trend.key, trend.label, trend.name) for trend in result] == [
        (1, "Block 1", "Basics"),
        (2, "Block 2", "Flow"),
    ]
    block_one = [(item.day, item.answered, item.credit) for item in result[0].days]
    assert block_one == [(day_one.date(), 2, 0.75), (NOW.date(), 1, 0.0)]
    assert [(item.answered, item.credit) for item in result[1].days] == [(1, 1.0)]


@pytest.mark.django_db
def test_accuracy_keeps_only_the_last_n_days(user, two_blocks):
    first, _ = two_blocks
    answer(
        user=user, topic=first, at=NOW - timedelta(days=7), earned=20
    )  # 8 days ago counting today
    answer(
        user=user, topic=first, at=NOW - timedelta(days=6, hours=15), earned=0
    )  # midnight, day 7
    answer(user=user, topic=first, at=NOW, earned=20)

    week = trends.block_accuracy_by_day(user=user, days=7, now=NOW)
    month = trends.block_accuracy_by_day(user=user, days=30, now=NOW)

    assert [item.day for item in week[0].days] == [(NOW - timedelta(days=6)).date(), NOW.date()]
    assert len(month[0].days) == 3


@pytest.mark.django_db
def test_unanswered_items_are_not_counted(user, two_blocks):
    first, _ = two_blocks
    answer(user=user, topic=first, at=None, earned=0)
    answer(user=user, topic=first, at=NOW, earned=20)

    assert trends.block_accuracy_by_day(user=user, now=NOW)[0].days[0].answered == 1
    assert trends.performance_stats(user=user).answers == 1


@pytest.mark.django_db
def test_objective_accuracy_is_per_objective(user, two_blocks):
    first, second = two_blocks
    answer(user=user, topic=first, at=NOW, earned=20)
    answer(user=user, topic=second, at=NOW, earned=0)
    answer(user=user, topic=second, at=NOW, earned=20)

    result = trends.objective_accuracy_by_day(user=user, days=30, now=NOW)

    assert [(t.key, t.label, t.days[0].answered, t.days[0].credit) for t in result] == [
        (first.pk, "1.1", 1, 1.0),
        (second.pk, "2.1", 2, 0.5),
    ]


@pytest.mark.django_db
def test_difficulty_distribution_lists_every_level(user, two_blocks):
    first, _ = two_blocks
    answer(user=user, topic=first, at=NOW, earned=20, difficulty=2)
    answer(user=user, topic=first, at=NOW, earned=0, difficulty=2)
    answer(user=user, topic=first, at=NOW, earned=20, difficulty=5)

    result = trends.difficulty_distribution(user=user)

    assert [(row.difficulty, row.answered, row.correct) for row in result] == [
        (1, 0, 0),
        (2, 2, 1),
        (3, 0, 0),
        (4, 0, 0),
        (5, 1, 1),
    ]


@pytest.mark.django_db
def test_performance_stats_count_answers_and_average_the_time(user, two_blocks):
    first, _ = two_blocks
    assert trends.performance_stats(user=user) == trends.PerformanceStats(0, 0, None)
    answer(user=user, topic=first, at=NOW, earned=20, seconds=20.0)
    answer(user=user, topic=first, at=NOW, earned=5, seconds=40.0)

    assert trends.performance_stats(user=user) == trends.PerformanceStats(2, 1, 30.0)


def build_history(*, user, topics, attempts: int) -> None:
    mock = ExamFactory(kind=Exam.Kind.MOCK)
    for index in range(attempts):
        at = NOW - timedelta(days=index % 20, hours=index)
        session = finished_mock(user=user, exam=mock, at=at, percent=60.0, scaled=600, passed=False)
        for topic in topics:
            answer(user=user, topic=topic, at=at, earned=20 * (index % 2), session=session)


@pytest.mark.parametrize("attempts", [2, 20])
@pytest.mark.django_db
def test_each_selector_runs_one_query_whatever_the_history(
    user, two_blocks, attempts, django_assert_num_queries
):
    build_history(user=user, topics=two_blocks, attempts=attempts)

    with django_assert_num_queries(1):
        assert len(trends.mock_exam_scores(user=user)) == attempts
    with django_assert_num_queries(1):
        assert len(trends.block_accuracy_by_day(user=user, now=NOW)) == 2
    with django_assert_num_queries(1):
        assert len(trends.objective_accuracy_by_day(user=user, now=NOW)) == 2
    with django_assert_num_queries(1):
        assert trends.difficulty_distribution(user=user)[1].answered == 2 * attempts
    with django_assert_num_queries(1):
        assert trends.performance_stats(user=user).answers == 2 * attempts
