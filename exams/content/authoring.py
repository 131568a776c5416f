"""Writing one question, given as a content-format mapping, through the importer.

The REST API creates and rewrites questions this way, so that a question sent as JSON passes
exactly the importer's validation (`parse_files`) and is written by its code (Markdown
rendered the same, answers diffed the same, answered options kept the same): a question
created here is the same rows as the same question imported from a file.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.db import transaction

from exams.content.exporting import (
    dump_document,
    exam_document,
    question_document,
    questions_for_export,
)
from exams.content.importing import import_content, recount_active_questions
from exams.content.parsing import ContentProblem, shown_question_id
from exams.errors import ContentError
from exams.models import Exam, Question

# The name the one-question file is read under; problems of a question carry no file.
QUESTION_FILE_NAME = "question.yaml"


class QuestionRefused(ContentError):
    """The question breaks the importer's rules; nothing was written."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        super().__init__(problems[0].message)
        self.problems = problems


def create_question(*, document: Mapping[str, Any], exam: Exam) -> Question:
    """A new question in the set `exam`, after the set's last one. Its id must be new."""
    question_id = document.get("id")
    if isinstance(question_id, str) and Question.objects.filter(original_id=question_id).exists():
        raise _refused(question_id, "duplicate id: a question with this id already exists.")
    _write(document=document, exam=exam)
    return Question.objects.get(original_id=question_id)


def update_question(
    *,
    question: Question,
    document: Mapping[str, Any],
    partial: bool = False,
    is_active: bool | None = None,
) -> Question:
    """`question` rewritten from `document` (every key, or with `partial` the keys given over
    its current content), and activated or retired when `is_active` says so. Its id and its
    set stay; so do options learners have answered. All of it or nothing is written."""
    if question.exam is None:
        raise _refused(question.original_id, "the question belongs to no question set.")
    if document.get("id", question.original_id) != question.original_id:
        raise _refused(
            question.original_id,
            "the id of a question cannot change: re-imports find it by its id.",
        )
    with transaction.atomic():
        if document or not partial:
            if partial:
                document = {**question_document(_with_answers(question)), **document}
            _write(document={**document, "id": question.original_id}, exam=question.exam)
        question = Question.objects.get(pk=question.pk)
        if is_active is not None and question.is_active != is_active:
            # Retired, not deleted: learners' history keeps the question.
            question.is_active = is_active
            question.save(update_fields=["is_active", "updated_at"])
            recount_active_questions(exam=question.exam)
    return question


def _write(*, document: Mapping[str, Any], exam: Exam) -> None:
    directory = Path(tempfile.mkdtemp(prefix="pcep-question-"))
    try:
        path = directory / QUESTION_FILE_NAME
        path.write_text(_as_file_text(document=document, exam=exam), encoding="utf-8")
        # The API's write is the author's decision about this one question: it takes effect.
        report = import_content(paths=[path], into=exam, take_file=True, origin=Question.Origin.API)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    if not report.ok:
        raise QuestionRefused([_without_file(problem) for problem in report.problems])


def _as_file_text(*, document: Mapping[str, Any], exam: Exam) -> str:
    """A one-question file of the set `exam`, as the importer reads files."""
    file_document = exam_document(exam, questions=[])
    file_document["questions"] = [_without_nulls(json.loads(json.dumps(dict(document))))]
    return dump_document(file_document)


def _without_nulls(value: Any) -> Any:
    """JSON null is a key left out: in YAML it would be read as the text "null"."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _without_file(problem: ContentProblem) -> ContentProblem:
    # The file and its lines are this module's own, not the caller's.
    return ContentProblem("", None, problem.question_id, problem.message)


def _refused(question_id: str | None, message: str) -> QuestionRefused:
    return QuestionRefused([ContentProblem("", None, shown_question_id(question_id), message)])


def _with_answers(question: Question) -> Question:
    return questions_for_export(Question.objects.filter(pk=question.pk)).get()
