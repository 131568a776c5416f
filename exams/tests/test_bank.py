"""The bundled bank meets the promised minimums, so it cannot quietly shrink."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from exams.bank import MINIMUM_PER_OBJECTIVE, bank_coverage
from exams.content.importing import import_content
from exams.models import Exam, Question
from exams.services import draw_questions
from exams.tests.factories import ExamSessionFactory, UserResponseFactory

BANK_FILES = sorted((Path(settings.BASE_DIR) / "content" / "questions").glob("*.yaml"))


@pytest.fixture
def bundled_bank(syllabus):
    report = import_content(paths=BANK_FILES)
    assert report.ok, [str(problem) for problem in report.problems]
    return report


@pytest.mark.django_db
def test_bundled_bank_imports_cleanly_and_meets_every_minimum(bundled_bank):
    coverage = bank_coverage(syllabus_code="PCEP-30-02")
    assert coverage.failures == []
    assert coverage.total >= 300
    assert len(coverage.by_objective) == 15
    assert all(
        sum(counts[kind] for kind in ("single", "multiple", "order", "gap"))
        >= MINIMUM_PER_OBJECTIVE
        for counts in coverage.by_objective.values()
    )


@pytest.mark.django_db
def test_bank_report_check_fails_when_the_bank_shrinks(bundled_bank):
    Question.objects.filter(topic__code="1.1").update(is_active=False)
    with pytest.raises(Exception, match="minimum"):
        call_command("bank_report", "--check")


@pytest.mark.django_db
def test_four_mock_exams_can_be_drawn_without_repeating_an_item(bundled_bank, user):
    mock = Exam.objects.get(kind=Exam.Kind.MOCK, code="PCEP-30-02")
    drawn: set[int] = set()
    for _ in range(4):
        question_ids = draw_questions(exam=mock, user=user)
        assert len(question_ids) == 30
        drawn.update(question_ids)
        # Mark them seen, as a finished attempt would, so the next draw prefers others.
        attempt = ExamSessionFactory(user=user, exam=mock)
        for position, question_id in enumerate(question_ids, start=1):
            UserResponseFactory(session=attempt, question_id=question_id, position=position)
    assert len(drawn) == 120


@pytest.mark.django_db
def test_bundled_items_explain_every_answer(bundled_bank):
    questions = Question.objects.prefetch_related("answers")
    assert all(question.explanation.strip() for question in questions)
    assert all(answer.explanation.strip() for q in questions for answer in q.answers.all())
