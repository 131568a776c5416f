"""Importing question files: validate everything first, then write it all in one transaction."""

from __future__ import annotations

import html
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.db import models, transaction

from exams.content.parsing import (
    ContentProblem,
    ParsedAnswer,
    ParsedFile,
    ParsedQuestion,
    check_unique_ids,
    read_content_file,
    shown_question_id,
)
from exams.content.rules import column_problems
from exams.models import Answer, Exam, Question, Topic
from exams.selectors import current_syllabus, questions_with_learner_answers

BATCH_SIZE = 500
# How problems name a written column that the file calls otherwise (or that is derived
# from a key: rendered HTML is reported as the Markdown it comes from).
FILE_KEYS = {
    "original_id": "'id'", "code_snippet": "'code'", "expected_output": "'output'",
    "verify_mode": "'verify'", "html_content": "'text'", "explanation_html": "'explanation'",
    "source_file": "the file name",
}  # fmt: skip
QUESTION_FIELDS = (
    "text", "html_content", "difficulty", "topic_id", "exam_id", "code_snippet", "explanation",
    "explanation_html", "question_order", "kind", "points", "choose", "stdin",
    "expected_output", "verify_mode", "verify_reason", "is_active", "line_rule", "reviewed_by",
    "reviewed_on",
)  # fmt: skip
ANSWER_FIELDS = (
    "text", "html_content", "is_correct", "explanation", "answer_order", "raises", "gap_number",
)  # fmt: skip


class ImportAborted(Exception):
    """Raised inside the transaction to roll everything back when a write is refused."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class ImportReport:
    files: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    exams_created: int = 0
    exams_updated: int = 0
    dry_run: bool = False
    problems: list[ContentProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def writes(self) -> int:
        return self.created + self.updated + self.retired + self.exams_created + self.exams_updated


def _objective_index(syllabus_code: str | None) -> dict[str, Topic]:
    topics = Topic.objects.select_related("module__syllabus")
    if syllabus_code:
        topics = topics.filter(module__syllabus__code=syllabus_code)
    else:
        topics = topics.filter(module__syllabus=current_syllabus())
    return {topic.code: topic for topic in topics}


# Big imports parse their files in parallel: YAML parsing is most of their time. Spawned
# (not forked) workers, so no database connection is ever shared with a child process.
PARALLEL_PARSE_MIN_BYTES = 2 * 1024 * 1024


def _read_all(
    paths: list[Path], objectives: Mapping[str | None, set[str]]
) -> list[tuple[ParsedFile | None, list[ContentProblem]]]:
    def size(path: Path) -> int:
        try:
            return path.stat().st_size
        except OSError:
            return 0

    workers = min(len(paths), os.cpu_count() or 1)
    if workers < 2 or sum(size(path) for path in paths) < PARALLEL_PARSE_MIN_BYTES:
        return [read_content_file(path, objectives=objectives) for path in paths]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(read_content_file, path, objectives=objectives) for path in paths]
        return [future.result() for future in futures]


def _objectives_by_syllabus() -> dict[str | None, set[str]]:
    """Each loaded syllabus's objective codes, and the current one's under None."""
    objectives: dict[str | None, set[str]] = defaultdict(set)
    for syllabus_code, topic_code in Topic.objects.values_list("module__syllabus__code", "code"):
        objectives[syllabus_code].add(topic_code)
    current = current_syllabus()
    if current is not None and current.code in objectives:
        objectives[None] = objectives[current.code]
    return dict(objectives)


def parse_files(*, paths: Iterable[Path]) -> tuple[list[ParsedFile], list[ContentProblem]]:
    """The one validation pass of an import (the command's, the admin upload's): read and check
    every file, and every value against the column it would be written to. Nothing is
    written. Returns the files that can be imported, and the problems of all of them."""
    paths = [Path(path) for path in paths]
    objectives = _objectives_by_syllabus()
    if None not in objectives:
        return [], [
            ContentProblem(
                str(path), None, None, "no syllabus is loaded: run manage.py load_syllabus."
            )
            for path in paths
        ]
    files: list[ParsedFile] = []
    problems: list[ContentProblem] = []
    for parsed, file_problems in _read_all(paths, objectives):
        if parsed is not None:
            file_problems = [*file_problems, *_column_problems(parsed)]
            if not file_problems:
                files.append(parsed)
        problems.extend(file_problems)
    names = [parsed.source_file for parsed in files]
    for parsed in files:
        if names.count(parsed.source_file) > 1:
            problems.append(
                ContentProblem(parsed.path, None, None, "two files in one import share this name.")
            )
    problems.extend(check_unique_ids(files))
    return files, problems


def _column_problems(parsed: ParsedFile) -> list[ContentProblem]:
    """Every value the import would write, checked against its column: the values are built
    by the same functions that build the rows, so no written column goes unchecked."""
    problems = [
        ContentProblem(parsed.path, parsed.exam_lines.get(column), None, message)
        for column, message in _column_messages(
            Exam, {"source_file": parsed.source_file, **_exam_values(parsed)}
        )
    ]
    for question in parsed.questions:
        messages = _column_messages(
            Question, {"original_id": question.original_id, **_question_content(question)}
        )
        for answer, values in _answers_with_values(question):
            messages += _column_messages(
                Answer, {"original_id": answer.original_id, **values}, prefix=f"{answer.label}: "
            )
        problems += [
            ContentProblem(
                parsed.path, question.line, shown_question_id(question.original_id), message
            )
            for _, message in messages
        ]
    # Rendered HTML repeats a problem of its Markdown: say it once.
    return list({str(problem): problem for problem in problems}.values())


def _column_messages(
    model: type[models.Model], values: dict, *, prefix: str = ""
) -> list[tuple[str, str]]:
    """(column, message) for each value its column would refuse, named as the file names it."""
    return [
        (
            problem.field,
            f"{prefix}{FILE_KEYS.get(problem.field, repr(problem.field))} {problem.message}",
        )
        for problem in column_problems(model=model, values=values)
    ]


def import_content(
    *,
    paths: Iterable[Path],
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
    into: Exam | None = None,
) -> ImportReport:
    """Validate all files, then create/update/retire questions in one transaction.

    Any problem means nothing is written. A dry run performs the writes and rolls them back,
    so its counts are exactly what a real run would do.

    With `into`, the files' questions are written into that existing question set, and its
    other questions and its own fields are left as they are (the REST API writes one
    question so): a question whose id belongs to another set is refused, a new one goes
    after the set's last, and an existing one keeps its place and its active state.
    """
    files, problems = parse_files(paths=paths)
    report = ImportReport(files=len(files), dry_run=dry_run, problems=problems)
    if problems:
        return report
    try:
        with transaction.atomic():
            _write(files, report, progress or (lambda message: None), into=into)
            if dry_run:
                transaction.set_rollback(True)
    except ImportAborted as aborted:
        return ImportReport(files=len(files), dry_run=dry_run, problems=aborted.problems)
    return report


def _question_content(question: ParsedQuestion) -> dict:
    """The columns of a question row that come from its file."""
    return {
        "text": question.text,
        "html_content": question.html_content,
        "difficulty": question.difficulty,
        "code_snippet": question.code or None,
        "explanation": question.explanation,
        "explanation_html": question.explanation_html,
        "kind": question.kind,
        "points": question.points,
        "choose": question.choose,
        "stdin": question.stdin,
        "expected_output": question.expected_output,
        "verify_mode": question.verify_mode,
        "verify_reason": question.verify_reason,
        "line_rule": question.line_rule,
        "reviewed_by": question.reviewed_by,
        "reviewed_on": question.reviewed_on,
    }


def _question_values(question: ParsedQuestion, *, exam: Exam, topic: Topic, order: int) -> dict:
    return {
        **_question_content(question),
        "topic_id": topic.pk,
        "exam_id": exam.pk,
        "question_order": order,
        "is_active": True,
    }


def _answer_values(answer: ParsedAnswer, *, order: int) -> dict:
    return {
        "text": answer.text,
        "html_content": html.escape(answer.text),
        "is_correct": answer.is_correct,
        "explanation": answer.explanation,
        "answer_order": order,
        "raises": answer.raises,
        "gap_number": answer.gap_number,
    }


def _differs(instance, values: dict) -> bool:
    return any(getattr(instance, name) != value for name, value in values.items())


def _write(
    files: list[ParsedFile], report: ImportReport, progress, *, into: Exam | None = None
) -> None:
    """Create, update and retire questions as the files say; with `into`, write every file's
    questions into that existing set instead (see `import_content`)."""
    exams = {
        parsed.source_file: into if into is not None else _upsert_exam(parsed, report)
        for parsed in files
    }
    topic_indexes = {
        code: _objective_index(code) for code in {parsed.syllabus_code for parsed in files}
    }
    all_ids = [question.original_id for parsed in files for question in parsed.questions]
    existing = {
        question.original_id: question
        for question in Question.objects.filter(original_id__in=all_ids)
    }
    existing_answers: dict[int, dict[str, Answer]] = defaultdict(dict)
    for answer in Answer.objects.filter(question__original_id__in=all_ids):
        existing_answers[answer.question_id][answer.original_id] = answer
    # Questions learners have answered: their options keep their identity (see _diff_answers).
    answered = questions_with_learner_answers(
        question_ids=[question.pk for question in existing.values()]
    )
    files_of_exams = dict(
        Exam.objects.filter(
            pk__in={question.exam_id for question in existing.values()}
        ).values_list("pk", "source_file")
    )
    imported_files = {parsed.source_file for parsed in files}
    next_order = _next_order(into) if into is not None else 1
    problems: list[ContentProblem] = []

    new_questions: list[tuple[Question, ParsedQuestion]] = []
    changed_questions: list[Question] = []
    answers_to_create: list[Answer] = []
    answers_to_update: list[Answer] = []
    answers_to_delete: list[int] = []
    total = len(all_ids)
    done = 0
    for parsed in files:
        exam = exams[parsed.source_file]
        topics = topic_indexes[parsed.syllabus_code]
        for order, item in enumerate(parsed.questions, start=1):
            question = existing.get(item.original_id)
            if into is not None and question is not None:
                order = question.question_order  # it keeps its place in the set
            elif into is not None:
                order, next_order = next_order, next_order + 1
            values = _question_values(item, exam=exam, topic=topics[item.objective], order=order)
            if into is not None and question is not None:
                # In one set's questions, (de)activating is a decision of its own, not a write.
                values["is_active"] = question.is_active
            if question is None:
                new_questions.append((Question(original_id=item.original_id, **values), item))
            else:
                owner = files_of_exams.get(question.exam_id)
                if into is not None and question.exam_id != into.pk:
                    problems.append(
                        ContentProblem(
                            parsed.path,
                            item.line,
                            item.original_id,
                            f"duplicate id: already used in {owner or 'another question set'}.",
                        )
                    )
                    continue
                left_out = owner and owner != parsed.source_file and owner not in imported_files
                if into is None and left_out:
                    problems.append(
                        ContentProblem(
                            parsed.path,
                            item.line,
                            item.original_id,
                            f"duplicate id: already used in {owner}; import both files "
                            "together to move a question from one to the other.",
                        )
                    )
                    continue
                to_create, to_update, to_delete = _diff_answers(
                    question, item, existing_answers[question.pk]
                )
                if question.pk in answered:
                    problems.extend(_answered_option_problems(parsed, item, to_update, to_delete))
                answers_to_delete.extend(answer.pk for answer in to_delete)
                if (
                    _differs(question, values)
                    or to_create
                    or to_update
                    or (len(existing_answers[question.pk]) != len(item.answers))
                ):
                    for name, value in values.items():
                        setattr(question, name, value)
                    question.verification_status = Question.VerificationStatus.UNCHECKED
                    changed_questions.append(question)
                    answers_to_create.extend(to_create)
                    answers_to_update.extend(to_update)
                else:
                    report.unchanged += 1
            done += 1
            if total >= 2000 and done % 2000 == 0:
                progress(f"checked {done}/{total} questions")

    if problems:
        raise ImportAborted(problems)
    Answer.objects.filter(pk__in=answers_to_delete).delete()
    created = Question.objects.bulk_create(
        [question for question, _ in new_questions], batch_size=BATCH_SIZE
    )
    for question, (_, item) in zip(created, new_questions, strict=True):
        answers_to_create.extend(
            Answer(question_id=question.pk, original_id=answer.original_id, **fields)
            for answer, fields in _answers_with_values(item)
        )
    Question.objects.bulk_update(
        changed_questions, [*QUESTION_FIELDS, "verification_status"], batch_size=BATCH_SIZE
    )
    Answer.objects.bulk_create(answers_to_create, batch_size=BATCH_SIZE)
    Answer.objects.bulk_update(answers_to_update, ANSWER_FIELDS, batch_size=BATCH_SIZE)
    report.created = len(created)
    report.updated = len(changed_questions)
    if total >= 2000:
        progress(f"wrote {report.created} new and {report.updated} changed questions")

    if into is not None:
        recount_active_questions(exam=into)
        return
    # Questions that left their file are retired, not deleted: learners' history keeps them.
    for parsed in files:
        exam = exams[parsed.source_file]
        kept = [question.original_id for question in parsed.questions]
        # Look first, so that a re-import with nothing to retire issues no write at all.
        to_retire = list(
            Question.objects.filter(exam=exam, is_active=True)
            .exclude(original_id__in=kept)
            .values_list("pk", flat=True)
        )
        if to_retire:
            Question.objects.filter(pk__in=to_retire).update(is_active=False)
        report.retired += len(to_retire)
        recount_active_questions(exam=exam, active_count=len(kept))


def _next_order(exam: Exam) -> int:
    last = exam.questions.aggregate(last=models.Max("question_order"))["last"]
    return (last or 0) + 1


def recount_active_questions(*, exam: Exam, active_count: int | None = None) -> None:
    """Keep the set's `total_questions` the number of its active questions."""
    if active_count is None:
        active_count = exam.questions.filter(is_active=True).count()
    if exam.total_questions != active_count:
        Exam.objects.filter(pk=exam.pk).update(total_questions=active_count)


def _answers_with_values(item: ParsedQuestion):
    for order, answer in enumerate(item.answers, start=1):
        yield answer, _answer_values(answer, order=order)


def _diff_answers(question, item, current: dict[str, Answer]):
    to_create, to_update = [], []
    wanted = set()
    for answer, fields in _answers_with_values(item):
        wanted.add(answer.original_id)
        existing = current.get(answer.original_id)
        if existing is None:
            to_create.append(
                Answer(question_id=question.pk, original_id=answer.original_id, **fields)
            )
        elif _differs(existing, fields):
            existing.previous_text = existing.text
            existing.previous_gap = existing.gap_number
            for name, value in fields.items():
                setattr(existing, name, value)
            to_update.append(existing)
    to_delete = [answer for key, answer in current.items() if key not in wanted]
    return to_create, to_update, to_delete


def _answered_option_problems(parsed, item, to_update, to_delete) -> list[ContentProblem]:
    """Learners' responses point at options by identity: an answered question's options may
    change their key or explanation, but not disappear or turn into other options."""
    problems = []
    for answer in to_delete:
        problems.append(
            f"answer {answer.original_id} was chosen by learners and cannot be removed; keep "
            "it (mark it wrong if it is wrong) so their history stays readable."
        )
    for answer in to_update:
        if answer.text != answer.previous_text or answer.gap_number != answer.previous_gap:
            problems.append(
                f"answer {answer.original_id} would change from {answer.previous_text!r} to "
                f"{answer.text!r}, but learners have answered this question; give the "
                "answers explicit ids, or add new options after the existing ones."
            )
    return [
        ContentProblem(parsed.path, item.line, item.original_id, message) for message in problems
    ]


def _exam_values(parsed: ParsedFile) -> dict:
    values = {
        "title": parsed.title,
        "description": parsed.description,
        "version": parsed.version,
        "kind": parsed.exam_kind,
        "is_active": True,
    }
    if parsed.time_limit_minutes:
        values["time_limit"] = parsed.time_limit_minutes * 60
    return values


def _upsert_exam(parsed: ParsedFile, report: ImportReport) -> Exam:
    values = _exam_values(parsed)
    exam = Exam.objects.filter(source_file=parsed.source_file).first()
    if exam is None:
        report.exams_created += 1
        return Exam.objects.create(source_file=parsed.source_file, **values)
    if _differs(exam, values):
        for name, value in values.items():
            setattr(exam, name, value)
        exam.save()
        report.exams_updated += 1
    return exam
