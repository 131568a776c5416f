"""Past results never change silently: attempts keep what they showed; a regrade is explicit."""

import pytest
from django.urls import reverse

from exams import services
from exams.models import Exam
from exams.tests.factories import ExamFactory, make_question


@pytest.fixture
def fixed_exam(syllabus):
    exam = ExamFactory(kind=Exam.Kind.FIXED, title="Two items", time_limit=600)
    topic = syllabus.modules.get(number=1).topics.first()
    first = make_question(
        exam=exam,
        topic=topic,
        text="First stem",
        html_content="<p>First stem</p>",
        points=20,
        question_order=1,
    )
    second = make_question(exam=exam, topic=topic, text="Second stem", points=20, question_order=2)
    return exam, first, second


def _finish_with(user, exam, choices: dict) -> object:
    attempt = services.start_attempt(user=user, exam=exam)
    for question, answer in choices.items():
        services.record_answer(attempt=attempt, question_id=question.pk, choice_ids=[answer.pk])
    return services.finish_attempt(attempt=attempt)


@pytest.mark.django_db
def test_report_shows_what_was_answered_after_the_question_is_edited(client, user, fixed_exam):
    exam, first, _ = fixed_exam
    right = first.answers.get(is_correct=True)
    attempt = _finish_with(user, exam, {first: right})
    first.html_content = "<p>Rewritten stem</p>"
    first.save()
    right.text = right.html_content = "Rewritten option"
    right.save()
    first.is_active = False
    first.save()

    client.force_login(user)
    page = client.get(reverse("exams:report", args=[attempt.pk])).content.decode()

    assert "First stem" in page
    assert "Rewritten stem" not in page
    assert "Rewritten option" not in page


@pytest.mark.django_db
def test_regrade_after_a_key_fix_changes_exactly_the_affected_scores(user, fixed_exam):
    exam, first, second = fixed_exam
    old_key = first.answers.get(is_correct=True)
    new_key = first.answers.filter(is_correct=False).first()
    chose_new_key = _finish_with(
        user, exam, {first: new_key, second: second.answers.get(is_correct=True)}
    )
    chose_old_key = _finish_with(user, exam, {first: old_key})
    assert (chose_new_key.scaled_score, chose_old_key.scaled_score) == (500, 500)

    old_key.is_correct, new_key.is_correct = False, True
    old_key.save()
    new_key.save()
    result = services.regrade_question(question=first)

    chose_new_key.refresh_from_db()
    chose_old_key.refresh_from_db()
    assert result.attempts_checked == 2
    assert result.responses_changed == 2
    assert result.scores_changed == 2
    assert chose_new_key.scaled_score == 1000
    assert chose_old_key.scaled_score == 0


@pytest.mark.django_db
def test_regrade_without_a_key_change_changes_nothing(user, fixed_exam):
    exam, first, _ = fixed_exam
    attempt = _finish_with(user, exam, {first: first.answers.get(is_correct=True)})

    result = services.regrade_question(question=first)

    attempt.refresh_from_db()
    assert (result.responses_changed, result.scores_changed) == (0, 0)
    assert attempt.scaled_score == 500


@pytest.mark.django_db
def test_regraded_report_shows_the_corrected_key(client, user, fixed_exam):
    exam, first, _ = fixed_exam
    old_key = first.answers.get(is_correct=True)
    new_key = first.answers.filter(is_correct=False).first()
    attempt = _finish_with(user, exam, {first: new_key})
    old_key.is_correct, new_key.is_correct = False, True
    old_key.save()
    new_key.save()
    services.regrade_question(question=first)

    client.force_login(user)
    page = client.get(reverse("exams:report", args=[attempt.pk])).content.decode()

    assert 'id="scaled-score">500<' in page
