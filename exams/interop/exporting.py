"""Exporting question sets to Moodle XML, GIFT or Aiken files (export_questions --format)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from exams.content.exporting import question_document, questions_for_export
from exams.content.parsing import FILE_NAME_PATTERN
from exams.errors import ContentError
from exams.interop.aiken import write_aiken
from exams.interop.gift import write_gift
from exams.interop.moodle_xml import write_moodle_xml
from exams.models import Exam

SUFFIXES = {"moodle-xml": ".xml", "gift": ".gift", "aiken": ".txt"}


def foreign_text(
    *,
    documents: list[dict],
    file_format: str,
    category: str,
    exam: dict | None = None,
    aiken_explanations: bool = True,
) -> tuple[str, list[str]]:
    """One file's text in `file_format`, and a message per question that format cannot hold."""
    if file_format == "moodle-xml":
        return write_moodle_xml(documents, category=category, exam=exam), []
    if file_format == "gift":
        return write_gift(documents, category=category, exam=exam)
    if file_format == "aiken":
        return write_aiken(documents, with_explanations=aiken_explanations)
    raise ContentError(f"unknown export format {file_format!r}.")


def export_foreign_files(
    *,
    out_dir: Path,
    file_format: str,
    exams: Iterable[Exam] | None = None,
    aiken_explanations: bool = True,
) -> tuple[list[Path], list[str]]:
    """Write one file per question set (its active questions) in `file_format`; returns the
    files written and what was left out. A set's category is its title ('/' would nest)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if exams is None:
        exams = Exam.objects.exclude(source_file__isnull=True).exclude(source_file="")
    written, skipped = [], []
    for exam in exams:
        name = exam.source_file or ""
        # A source_file comes from the database; never let it point outside out_dir.
        if not FILE_NAME_PATTERN.fullmatch(name):
            raise ContentError(f"exam {exam.pk} has an unsafe file name {name!r}; not written.")
        questions = questions_for_export(exam.questions.filter(is_active=True)).order_by(
            "question_order", "id"
        )
        text, left_out = foreign_text(
            documents=[question_document(question) for question in questions],
            file_format=file_format,
            category=exam.title.replace("/", "-"),
            exam={"title": exam.title, "description": exam.description, "version": exam.version},
            aiken_explanations=aiken_explanations,
        )
        target = out_dir / (Path(name).stem + SUFFIXES[file_format])
        target.write_text(text, encoding="utf-8")
        written.append(target)
        skipped += [f"{exam.source_file}: {message}" for message in left_out]
    return written, skipped
