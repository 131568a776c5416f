"""The Progress and home pages show the figures the selectors compute on their own.

The pages read the learner's evidence once and estimate mastery once for every objective
(progress.selectors.LearnerSnapshot); these tests recompute each figure the long way, one
selector call at a time, for a learner with a varied history, and compare.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from exams.models import Exam, ExamSession, Question
from exams.tests import conftest as exams_fixtures
from exams.tests.factories import ExamSessionFactory, UserResponseFactory
from progress.mastery import logistic
from progress.readiness import predict_score
from progress.review import schedule_review
from progress.selectors import (
    LearnerSnapshot,
    evidence_responses,
    masteries_from,
    mock_exam_shape,
    predicted_mock_exam,
)
from progress.study_plan import EXAM_DATE_KEY, _exam_points_by_objective

bank = exams_fixtures.bank  # 8 items per block, of every kind, to the block maxima
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def frozen_now(monkeypatch):
    """Every `timezone.now()` of the request returns NOW, so recency weights match."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


def varied_history(*, user, bank) -> None:
    """Three finished mock exams on different days with right, wrong, partly right and
    skipped items, a practice session on one block only, two review cards due, and an
    objective of the bank never answered."""
    exam = Exam.objects.get(kind=Exam.Kind.MOCK)
    questions = list(Question.objects.filter(exam=bank).order_by("id"))
    # One objective of the bank is never answered: the estimates give it the general level.
    untouched = questions[-1].topic_id
    questions = [question for question in questions if question.topic_id != untouched]
    for attempt, days_ago in enumerate((40, 12, 2)):
        at = NOW - timedelta(days=days_ago, hours=attempt)
        session = ExamSessionFactory(
            user=user, exam=exam, is_completed=True, start_time=at, end_time=at
        )
        for index, question in enumerate(questions):
            outcome = (index + attempt) % 4  # 0 right, 1 wrong, 2 half right, 3 skipped
            share = {0: 1.0, 1: 0.0, 2: 0.5, 3: 0.0}[outcome]
            UserResponseFactory(
                session=session,
                question=question,
                points_earned=question.points * share,
                is_correct=outcome == 0,
                answered_at=None if outcome == 3 else at,
                time_taken=20.0 + index,
            )
    practice = ExamSessionFactory(
        user=user, exam=None, mode=ExamSession.Mode.PRACTICE, start_time=NOW - timedelta(days=1)
    )
    for question in (q for q in questions if q.topic.module.number == 2):
        UserResponseFactory(
            session=practice,
            question=question,
            points_earned=question.points,
            is_correct=True,
            answered_at=NOW - timedelta(days=1),
            time_taken=15.0,
        )
    for question in questions[:2]:
        schedule_review(
            user=user, question=question, credit=0.0, time_taken=30.0, now=NOW - timedelta(days=3)
        )
    user.profile_data = {EXAM_DATE_KEY: (date(2026, 3, 10) + timedelta(days=20)).isoformat()}
    user.save()


def expected_plan_gains(*, rows, shape) -> list[tuple[int, int]]:
    """(objective id, rounded expected gain) of the three best objectives, from the
    selectors called one at a time as the study plan called them before sharing."""
    exam_points, items_by_topic = _exam_points_by_objective(shape=shape)
    masteries = masteries_from(rows, now=NOW, topic_ids=list(items_by_topic))
    gains = []
    for topic_id, items in items_by_topic.items():
        ability = masteries[topic_id].ability
        # The share of the points not earned yet: a miss still earns its usual share.
        earned = 0.0
        for item in items:
            right = logistic(ability - item.logit)
            earned += right + (1 - right) * item.miss_credit
        gains.append((exam_points[topic_id] * (1 - earned / len(items)), topic_id))
    gains.sort(key=lambda gain: -gain[0])
    return [(topic_id, round(gain)) for gain, topic_id in gains[:3]]


@pytest.mark.django_db
def test_progress_page_figures_equal_the_selectors_computed_one_at_a_time(
    client, user, bank, frozen_now
):
    varied_history(user=user, bank=bank)
    client.force_login(user)

    response = client.get(reverse("progress:overview"))

    rows = list(evidence_responses(user=user))
    # The mastery table: each practised objective's own estimate, None for the others.
    alone = masteries_from(rows, now=NOW)
    table = response.context["rows"]
    assert {row.topic_id for row in table if row.mastery} == set(alone)
    for row in table:
        assert row.mastery == alone.get(row.topic_id)
    practised = [row for row in table if row.mastery]
    assert 0 < len(practised) < len(table)  # the history leaves some objectives untouched
    # Readiness: the prediction from the masteries of the exam's bank objectives only.
    shape = mock_exam_shape(exam=predicted_mock_exam(syllabus=response.context["syllabus"]))
    bank_topics = {item.topic_id for items in shape.items_by_block.values() for item in items}
    prediction = predict_score(
        masteries=masteries_from(rows, now=NOW, topic_ids=bank_topics), shape=shape
    )
    found = response.context["readiness"]
    assert found.prediction == prediction
    assert found.answers == len(rows) and found.days == 40  # 40 days ago to yesterday
    html = response.content.decode()
    assert f"<strong>{prediction.score}</strong> / {prediction.max_score}" in html
    assert f"(80% range {prediction.low}–{prediction.high};" in html
    # The study plan: the same three objectives and gains, and the due reviews in the pace.
    plan = response.context["plan"]
    assert [(e.topic_id, e.expected_gain) for e in plan.entries] == expected_plan_gains(
        rows=rows, shape=shape
    )
    assert plan.due_reviews == 2 and plan.days_left == 20
    for entry in plan.entries:
        assert f"<strong>+{entry.expected_gain}</strong>" in html


@pytest.mark.django_db
def test_home_page_figures_equal_the_progress_pages(client, user, bank, frozen_now):
    varied_history(user=user, bank=bank)
    client.force_login(user)

    home = client.get(reverse("home"))
    progress = client.get(reverse("progress:overview"))

    assert home.context["readiness"] == progress.context["readiness"]
    assert home.context["plan"] == progress.context["plan"]
    assert home.context["review_due"] == 2
    assert "Review due (2)" in home.content.decode()


@pytest.mark.django_db
def test_one_snapshot_estimates_each_objective_as_it_would_be_estimated_alone(
    user, bank, frozen_now
):
    varied_history(user=user, bank=bank)
    snapshot = LearnerSnapshot(user=user, now=NOW)
    rows = snapshot.evidence

    for topic_id, mastery in snapshot.masteries.items():
        assert masteries_from(rows, now=NOW, topic_ids=[topic_id])[topic_id] == mastery
    # Every objective of the syllabus is covered, practised or not.
    assert {row["id"] for row in snapshot.objectives} <= set(snapshot.masteries)
