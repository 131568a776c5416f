"""Writing questions back to the content format, and the document shape the verifier reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from django.db.models import Prefetch

from exams.content.parsing import FILE_NAME_PATTERN, FORMAT_VERSION
from exams.errors import ContentError
from exams.models import Answer, Exam, Question


def question_document(question: Question) -> dict[str, Any]:
    """The question as a content-format mapping (answers must be prefetched in order)."""
    document: dict[str, Any] = {
        "id": question.original_id,
        "objective": question.topic.code if question.topic else "",
        "kind": question.kind,
        "difficulty": question.difficulty,
        "points": question.points,
        "text": question.text,
    }
    if question.code_snippet:
        document["code"] = question.code_snippet
    if question.stdin:
        document["stdin"] = question.stdin
    if question.kind in Question.MULTIPLE_ANSWER_KINDS:
        document["choose"] = question.choose
    if question.kind == Question.Kind.LINES:
        document["select"] = question.line_rule
    answers = sorted(question.answers.all(), key=lambda answer: (answer.answer_order, answer.pk))
    if question.kind == Question.Kind.GAP:
        document["gaps"] = _gap_documents(answers)
    elif question.kind == Question.Kind.TILES:
        document["tiles"] = [_tile_document(answer, index) for index, answer in
                             enumerate(answers, start=1)]  # fmt: skip
    else:
        document["answers"] = [_answer_document(question, answer, index) for index, answer in
                               enumerate(answers)]  # fmt: skip
    if question.expected_output:
        document["output"] = question.expected_output
    document["verify"] = question.verify_mode
    if question.verify_reason:
        document["verify_reason"] = question.verify_reason
    if question.reviewed_by and question.reviewed_on:
        document["reviewed_by"] = question.reviewed_by
        document["reviewed_on"] = question.reviewed_on.isoformat()
    document["explanation"] = question.explanation or ""
    return document


def _answer_document(question: Question, answer: Answer, index: int) -> dict[str, Any]:
    document: dict[str, Any] = {}
    default_id = chr(ord("a") + index) if index < 26 else str(index + 1)
    if answer.original_id and answer.original_id != default_id:
        document["id"] = answer.original_id
    if question.kind == Question.Kind.LINES:
        document["line"] = int(answer.text) if answer.text.isdigit() else answer.text
    else:
        document["text"] = answer.text
    if question.kind != Question.Kind.ORDER and answer.is_correct:
        document["correct"] = True
    if answer.raises:
        document["raises"] = answer.raises
    document["explanation"] = answer.explanation or ""
    return document


def _tile_document(answer: Answer, position: int) -> dict[str, Any]:
    document: dict[str, Any] = {}
    if answer.original_id and answer.original_id != f"t{position}":
        document["id"] = answer.original_id
    document["text"] = answer.text
    if answer.gap_number:
        document["gap"] = answer.gap_number
    document["explanation"] = answer.explanation or ""
    return document


def _gap_documents(answers: list[Answer]) -> list[dict[str, Any]]:
    by_gap: dict[int, list[Answer]] = defaultdict(list)
    for answer in answers:
        by_gap[answer.gap_number or 1].append(answer)
    return [
        {
            "accepted": [answer.text for answer in by_gap[number]],
            "explanation": by_gap[number][0].explanation or "",
        }
        for number in sorted(by_gap)
    ]


def questions_for_export(questions: Iterable[Question] | None = None):
    queryset = Question.objects.all() if questions is None else questions
    return queryset.select_related("topic", "exam").prefetch_related(
        Prefetch("answers", queryset=Answer.objects.order_by("answer_order", "id"))
    )


def exam_document(exam: Exam, questions: Iterable[Question]) -> dict[str, Any]:
    exam_section: dict[str, Any] = {
        "title": exam.title,
        "description": exam.description or "",
        "version": exam.version,
    }
    if exam.kind == Exam.Kind.FIXED:
        exam_section["kind"] = "fixed"
        exam_section["minutes"] = exam.time_limit // 60
    document: dict[str, Any] = {"format": int(FORMAT_VERSION)}
    if exam.syllabus_id:
        document["syllabus"] = exam.syllabus.code
    document["exam"] = exam_section
    document["questions"] = [question_document(question) for question in questions]
    return document


class _ContentDumper(yaml.SafeDumper):
    """Block style for multi-line text so exported files stay readable and diff well."""


def _represent_text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ContentDumper.add_representer(str, _represent_text)


def dump_document(document: dict[str, Any]) -> str:
    return yaml.dump(
        document, Dumper=_ContentDumper, sort_keys=False, allow_unicode=True, width=100
    )


def export_exam_files(*, out_dir: Path, exams: Iterable[Exam] | None = None) -> list[Path]:
    """Write one file per question set (exams with a source file) into out_dir."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    exams = Exam.objects.exclude(source_file__isnull=True).exclude(source_file="") \
        if exams is None else exams  # fmt: skip
    written = []
    for exam in exams:
        name = exam.source_file or ""
        # A source_file comes from the database; never let it point outside out_dir.
        if not FILE_NAME_PATTERN.fullmatch(name):
            raise ContentError(f"exam {exam.pk} has an unsafe file name {name!r}; not written.")
        questions = questions_for_export(exam.questions.filter(is_active=True)).order_by(
            "question_order", "id"
        )
        target = out_dir / name
        target.write_text(dump_document(exam_document(exam, questions)), encoding="utf-8")
        written.append(target)
    return written


def export_selection(questions: Iterable[Question], *, title: str) -> str:
    """One file's text for an arbitrary selection (the admin's export action)."""
    document = {
        "format": int(FORMAT_VERSION),
        "exam": {"title": title, "description": "", "version": "1.0"},
        "questions": [question_document(question) for question in questions],
    }
    return dump_document(document)
