"""Spaced review of mistakes: the rating rule, card creation, due dates, review sessions."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from fsrs import Rating

from exams import services
from exams.drawing import PracticeChoice, draw_practice_questions
from exams.models import Exam, ExamSession
from exams.tests.factories import ExamFactory, make_question
from progress.miss_credit import miss_credit
from progress.models import ReviewCard
from progress.review import QUICK_ANSWER_SECONDS, rating_for, schedule_review
from progress.selectors import (
    due_question_ids,
    due_review_count,
    evidence_responses,
    masteries_from,
)
from progress.study_plan import study_plan

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_rating_follows_the_outcome():
    assert rating_for(credit=0.0, time_taken=5) == Rating.Again
    assert rating_for(credit=0.5, time_taken=5) == Rating.Hard
    assert rating_for(credit=(1 / 3) * 3 - 1e-12, time_taken=60) == Rating.Good
    assert rating_for(credit=1.0, time_taken=QUICK_ANSWER_SECONDS + 1) == Rating.Good
    assert rating_for(credit=1.0, time_taken=QUICK_ANSWER_SECONDS - 1) == Rating.Easy


@pytest.fixture
def topic(syllabus):
    return syllabus.modules.get(number=1).topics.get(code="1.3")


@pytest.mark.django_db
def test_a_card_is_created_on_a_miss_only(user, topic):
    right, missed, partly = (make_question(topic=topic) for _ in range(3))
    assert schedule_review(user=user, question=right, credit=1.0, time_taken=60, now=T0) is None
    schedule_review(user=user, question=missed, credit=0.0, time_taken=60, now=T0)
    schedule_review(user=user, question=partly, credit=0.5, time_taken=60, now=T0)
    assert set(ReviewCard.objects.for_user(user).values_list("question_id", flat=True)) == {
        missed.pk,
        partly.pk,
    }


@pytest.mark.django_db
def test_good_answers_push_the_due_date_further_and_again_brings_it_back_soon(user, topic):
    question = make_question(topic=topic)
    card = schedule_review(user=user, question=question, credit=0.0, time_taken=60, now=T0)
    assert card.due - T0 < timedelta(hours=1)
    intervals = []
    now = card.due
    for _ in range(4):
        card = schedule_review(user=user, question=question, credit=1.0, time_taken=60, now=now)
        intervals.append(card.due - now)
        now = card.due
    assert intervals == sorted(intervals) and intervals[-1] > intervals[0]
    assert intervals[-1] >= timedelta(days=2)
    stored = ReviewCard.objects.get(user=user, question=question)
    assert stored.reps == 5 and stored.state == ReviewCard.State.REVIEW
    forgotten = schedule_review(user=user, question=question, credit=0.0, time_taken=60, now=now)
    assert forgotten.due - now < timedelta(hours=1)
    assert ReviewCard.objects.get(user=user, question=question).lapses == 1


@pytest.mark.django_db
def test_due_count_and_review_session_draw_due_items_earliest_first(user, topic):
    questions = [make_question(topic=topic) for _ in range(4)]
    for minutes, question in zip((3, 1, 2), questions[:3], strict=True):
        schedule_review(
            user=user,
            question=question,
            credit=0.0,
            time_taken=60,
            now=T0 + timedelta(minutes=minutes),
        )
    later = T0 + timedelta(hours=2)
    assert due_review_count(user=user, now=T0) == 0
    assert due_review_count(user=user, now=later) == 3
    expected = [questions[1].pk, questions[2].pk, questions[0].pk]
    assert due_question_ids(user=user, now=later, limit=10) == expected
    assert due_question_ids(user=user, now=later, limit=2) == expected[:2]
    drawn = draw_practice_questions(user=user, choice=PracticeChoice(review_due=True, count=10))
    assert drawn == expected
    attempt = services.start_practice(user=user, choice=PracticeChoice(review_due=True, count=10))
    assert attempt.session_data["title"] == "Review: 3 due items"


@pytest.mark.django_db
def test_a_question_answered_twice_in_a_day_counts_once_toward_mastery(user, topic):
    question = make_question(topic=topic)
    make_question(topic=topic)  # a second item for the two-item sessions, never answered
    for start in (T0, T0 + timedelta(hours=3)):
        attempt = services.start_practice(
            user=user, choice=PracticeChoice(topic=topic, count=2), now=start
        )
        item = attempt.responses.get(question=question)
        wrong = item.question.answers.filter(is_correct=False).first()
        right = item.question.answers.get(is_correct=True)
        choice = wrong if start == T0 else right
        services.record_answer(
            attempt=attempt, question_id=question.pk, choice_ids=[choice.pk], now=start
        )
    rows = list(evidence_responses(user=user))
    assert len(rows) == 2
    deduped = masteries_from(rows, now=T0 + timedelta(hours=4))[topic.pk]
    first_of_day = min(rows, key=lambda row: row["moment"])
    only_first = masteries_from([first_of_day], now=T0 + timedelta(hours=4))[topic.pk]
    assert deduped.estimate == only_first.estimate
    assert (
        deduped.estimate != masteries_from(rows[1:], now=T0 + timedelta(hours=4))[topic.pk].estimate
    )


# A practice answer save before spaced review: savepoint, the item with its attempt (one
# query; the options come from the attempt's copy), the row update, the learner, then
# refresh_progress's read and upsert, release (exams/services.py).
PRACTICE_ANSWER_QUERIES_BEFORE_REVIEW = 7


@pytest.mark.django_db
def test_an_answer_save_adds_at_most_the_card_read_and_upsert(
    user, topic, monkeypatch, django_assert_num_queries
):
    for order in range(6):
        make_question(topic=topic, question_order=order)
    attempt = services.start_practice(user=user, choice=PracticeChoice(topic=topic, count=6))
    missed, right_without_card, right_with_card, unscheduled = attempt.responses.select_related(
        "question"
    )[:4]

    def choice_ids(item, *, correct: bool) -> list[int]:
        return [item.question.answers.filter(is_correct=correct).first().pk]

    def save(item, choice_ids: list[int]) -> None:
        services.record_answer(attempt=attempt, question_id=item.question_id, choice_ids=choice_ids)

    wrong_for_missed = choice_ids(missed, correct=False)
    right_for_new = choice_ids(right_without_card, correct=True)
    right_for_card = choice_ids(right_with_card, correct=True)
    wrong_unscheduled = choice_ids(unscheduled, correct=False)
    # Counted in the steady state: the population's miss credit is in the cache (one
    # aggregate query per CACHE_SECONDS per process, not per save).
    miss_credit()
    # A miss reads the (absent) card and inserts one.
    with django_assert_num_queries(PRACTICE_ANSWER_QUERIES_BEFORE_REVIEW + 2):
        save(missed, wrong_for_missed)
    # A right answer on an item without a card only looks for it.
    with django_assert_num_queries(PRACTICE_ANSWER_QUERIES_BEFORE_REVIEW + 1):
        save(right_without_card, right_for_new)
    schedule_review(user=user, question=right_with_card.question, credit=0.0, time_taken=60, now=T0)
    # A right answer on an existing card reads it and updates it in the same upsert.
    with django_assert_num_queries(PRACTICE_ANSWER_QUERIES_BEFORE_REVIEW + 2):
        save(right_with_card, right_for_card)
    # The count without the review hook: what an answer save took before this feature.
    monkeypatch.setattr(services, "schedule_review", lambda **_: None)
    with django_assert_num_queries(PRACTICE_ANSWER_QUERIES_BEFORE_REVIEW):
        save(unscheduled, wrong_unscheduled)
    assert set(ReviewCard.objects.for_user(user).values_list("question_id", flat=True)) == {
        missed.question_id,
        right_with_card.question_id,
    }
    assert ReviewCard.objects.get(user=user, question=right_with_card.question).reps == 2


@pytest.mark.django_db
def test_a_finished_exam_schedules_missed_and_blank_items(user, topic):
    exam = ExamFactory(kind=Exam.Kind.FIXED)
    answered_right, blank = (make_question(topic=topic, exam=exam) for _ in range(2))
    attempt = services.start_attempt(user=user, exam=exam)
    right = answered_right.answers.get(is_correct=True)
    services.record_answer(attempt=attempt, question_id=answered_right.pk, choice_ids=[right.pk])
    services.finish_attempt(attempt=attempt)
    assert list(ReviewCard.objects.for_user(user).values_list("question_id", flat=True)) == [
        blank.pk
    ]


@pytest.mark.django_db
def test_home_shows_review_due_and_starts_a_review_session(client, user, topic):
    client.force_login(user)
    assert "Review due" not in client.get(reverse("home")).content.decode()
    missed = [make_question(topic=topic) for _ in range(2)]
    for question in missed:
        schedule_review(user=user, question=question, credit=0.0, time_taken=60, now=T0)
    page = client.get(reverse("home")).content.decode()
    assert "Review due (2)" in page
    response = client.post(reverse("exams:practice"), {"review_due": "on", "count": "2"})
    attempt = ExamSession.objects.for_user(user).get(mode=ExamSession.Mode.PRACTICE)
    assert response.status_code == 302
    assert set(attempt.responses.values_list("question_id", flat=True)) == {q.pk for q in missed}
    assert attempt.session_data["title"] == "Review: 2 due items"


@pytest.mark.django_db
def test_the_study_plan_counts_the_due_cards(user, topic):
    for question in (make_question(topic=topic) for _ in range(3)):
        schedule_review(user=user, question=question, credit=0.0, time_taken=60, now=T0)
    plan = study_plan(user=user, syllabus=topic.module.syllabus, now=T0 + timedelta(hours=2))
    assert plan.due_reviews == 3
