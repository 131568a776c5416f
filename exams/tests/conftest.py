"""Fixtures shared by the exams app's tests."""

import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory
from exams.models import Exam, Question, Syllabus
from exams.tests.factories import ExamFactory, load_pcep_syllabus, make_question, quota_points
from exams.tests.jail import require_jail


@pytest.fixture
def syllabus(db) -> Syllabus:
    """The real PCEP-30-02 syllabus: 4 blocks, 15 objectives and its mock exam."""
    return load_pcep_syllabus()


@pytest.fixture
def user(db) -> User:
    """A learner whose password is `accounts.tests.factories.DEFAULT_PASSWORD`."""
    return UserFactory()


@pytest.fixture
def jail() -> None:
    """The verifier's jail works here (skipped where it cannot, a failure in CI)."""
    require_jail()


# Every explanation carries this mark, so a leak of any key text is visible in a page or body.
SECRET = "SECRET-"


def mark_secrets(question: Question, label: str) -> None:
    """Unique explanation texts, so a leak of any of them is visible in the HTML."""
    question.explanation = f"{SECRET}question-{label}"
    question.explanation_html = f"<p>{SECRET}question-html-{label}</p>"
    question.save(update_fields=["explanation", "explanation_html"])
    for answer in question.answers.all():
        answer.explanation = f"{SECRET}answer-{answer.pk}"
        answer.save(update_fields=["explanation"])


@pytest.fixture
def bank(syllabus) -> Exam:
    """A question bank of 8 active questions per PCEP block (single, multiple, order, gap),
    worth points a mock exam can draw to the real block maxima."""
    bank_exam = ExamFactory(kind=Exam.Kind.BANK, title="Bank")
    kinds = ["single", "single", "single", "single", "multiple", "multiple", "order", "gap"]
    for module in syllabus.modules.all():
        topics = list(module.topics.all())
        for index, kind in enumerate(kinds):
            extra = {"correct": 2, "options": 5} if kind == "multiple" else {}
            question = make_question(
                kind=kind,
                topic=topics[index % len(topics)],
                exam=bank_exam,
                points=quota_points(module.number, index),
                **extra,
            )
            mark_secrets(question, f"{module.number}-{index}")
    return bank_exam


@pytest.fixture
def mock_exam(syllabus, bank) -> Exam:
    return Exam.objects.get(kind=Exam.Kind.MOCK, syllabus=syllabus)
