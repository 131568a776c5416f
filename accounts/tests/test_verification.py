"""Email verification: the signed link, resending it, and unverified learners' answers
left out of the cohort views."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from exams.models import ExamSession, UserResponse
from exams.statistics import cohort_by_objective
from exams.tests.factories import ExamFactory, ExamSessionFactory, TopicFactory, make_question

pytestmark = pytest.mark.django_db

MAY_10_NOON = timezone.make_aware(datetime.combine(date(2024, 5, 10), time(12)))


def _answer(question, *, user, correct: bool) -> UserResponse:
    attempt = ExamSessionFactory(
        exam=question.exam, user=user, mode=ExamSession.Mode.EXAM, is_completed=True
    )
    return UserResponse.objects.create(
        session=attempt,
        question=question,
        response_data={"choices": []},
        is_correct=correct,
        points_earned=question.points if correct else 0,
        answered_at=MAY_10_NOON,
    )


# --- cohort views ---------------------------------------------------------------------------


def test_unverified_learners_answers_are_left_out_of_the_cohort():
    topic = TopicFactory(code="1.1")
    question = make_question(kind="single", topic=topic, exam=ExamFactory(), points=20)
    verified, unverified = UserFactory(), UserFactory(email_verified=False)
    _answer(question, user=verified, correct=True)
    for _ in range(3):
        _answer(question, user=unverified, correct=False)

    (row,) = cohort_by_objective(start=date(2024, 5, 1), end=date(2024, 5, 31))

    assert (row.objective_code, row.responses, row.correct) == ("1.1", 1, 1)
    assert row.share_correct == pytest.approx(1.0)


def test_a_learners_answers_join_the_cohort_once_they_verify():
    topic = TopicFactory(code="1.1")
    question = make_question(kind="single", topic=topic, exam=ExamFactory(), points=20)
    learner = UserFactory(email_verified=False)
    _answer(question, user=learner, correct=False)
    assert cohort_by_objective(start=date(2024, 5, 1), end=date(2024, 5, 31))[0].responses == 0

    learner.email_verified = True
    learner.save(update_fields=["email_verified"])

    assert cohort_by_objective(start=date(2024, 5, 1), end=date(2024, 5, 31))[0].responses == 1
