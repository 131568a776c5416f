"""Progress per objective follows the learner's answers in exams and practice."""

import pytest
from django.urls import reverse

from exams import services
from exams.models import Exam
from exams.tests.factories import ExamFactory, make_question
from progress.mastery import PRIOR_MEAN, logistic
from progress.models import UserProgress


@pytest.fixture
def two_topic_exam(syllabus):
    exam = ExamFactory(kind=Exam.Kind.FIXED, title="Two objectives", time_limit=600)
    first_topic = syllabus.modules.get(number=1).topics.get(code="1.3")
    second_topic = syllabus.modules.get(number=3).topics.get(code="3.1")
    questions = [
        make_question(exam=exam, topic=first_topic, question_order=1),
        make_question(exam=exam, topic=first_topic, question_order=2),
        make_question(exam=exam, topic=second_topic, question_order=3),
    ]
    return exam, questions


@pytest.mark.django_db
def test_finishing_an_exam_records_progress_per_objective(user, two_topic_exam):
    exam, (first, second, third) = two_topic_exam
    attempt = services.start_attempt(user=user, exam=exam)
    services.record_answer(
        attempt=attempt, question_id=first.pk, choice_ids=[first.answers.get(is_correct=True).pk]
    )
    services.record_answer(
        attempt=attempt,
        question_id=second.pk,
        choice_ids=[second.answers.filter(is_correct=False).first().pk],
    )
    assert not UserProgress.objects.exists()  # exam answers count once the exam is finished

    services.finish_attempt(attempt=attempt)

    row = UserProgress.objects.get(user=user, topic=first.topic)
    assert (row.questions_attempted, row.questions_correct) == (2, 1)
    assert row.proficiency_level < 0.6  # one of two right is no longer boosted to 60%
    assert row.last_practice_date is not None
    # The item left unanswered scores 0 on the exam, so it counts as evidence against.
    skipped = UserProgress.objects.get(user=user, topic=third.topic)
    assert (skipped.questions_attempted, skipped.questions_correct) == (0, 0)
    assert skipped.proficiency_level < logistic(PRIOR_MEAN)


@pytest.mark.django_db
def test_practice_answers_count_at_once(user, two_topic_exam):
    _, (first, _, _) = two_topic_exam
    choice = services.PracticeChoice(topic=first.topic, count=2)
    attempt = services.start_practice(user=user, choice=choice)
    item = attempt.responses.first()
    right = item.question.answers.get(is_correct=True)

    services.record_answer(attempt=attempt, question_id=item.question_id, choice_ids=[right.pk])

    row = UserProgress.objects.get(user=user, topic=first.topic)
    assert (row.questions_attempted, row.questions_correct) == (1, 1)


@pytest.mark.django_db
def test_progress_page_lists_every_objective_with_the_learners_figures(
    client, user, two_topic_exam
):
    exam, (first, second, _) = two_topic_exam
    attempt = services.start_attempt(user=user, exam=exam)
    for question in (first, second):
        right = question.answers.get(is_correct=True)
        services.record_answer(attempt=attempt, question_id=question.pk, choice_ids=[right.pk])
    services.finish_attempt(attempt=attempt)
    client.force_login(user)

    page = client.get(reverse("progress:overview")).content.decode()
    # The mastery table (the trend charts above it have tables of their own).
    table = page.split('<table id="progress-table">')[1].split("</table>")[0]

    assert table.count("<tr>") == 1 + 15  # header + the 15 objectives
    assert table.count("no answers yet") == 15 - 2
    assert "100%" not in table  # two right answers are not certainty
    assert "Not enough data yet" in page


@pytest.mark.django_db
def test_progress_page_requires_login(client):
    response = client.get(reverse("progress:overview"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
