"""Verifying the keys of questions in the database and recording each one's status."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from exams.content.exporting import question_document, questions_for_export
from exams.models import Question
from exams.verifier import (
    ERROR,
    MISMATCH,
    NOT_VERIFIABLE,
    VERIFIED,
    QuestionResult,
    verify_questions,
)

_STATUS = {
    VERIFIED: Question.VerificationStatus.VERIFIED,
    MISMATCH: Question.VerificationStatus.MISMATCH,
    ERROR: Question.VerificationStatus.ERROR,
    NOT_VERIFIABLE: Question.VerificationStatus.NOT_VERIFIABLE,
}


def verify_stored_questions(
    *, questions: QuerySet[Question] | Iterable[Question] | None = None
) -> list[QuestionResult]:
    """Run every question's code against its key and store verified/mismatch per question."""
    selected = list(questions_for_export(questions))
    results = verify_questions([question_document(question) for question in selected])
    for question, result in zip(selected, results, strict=True):
        question.verification_status = _STATUS[result.status]
    Question.objects.bulk_update(selected, ["verification_status"], batch_size=500)
    return results
