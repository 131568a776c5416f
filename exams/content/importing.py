"""Importing question files: validate everything first, then write it all in one transaction."""

from __future__ import annotations

import hashlib
import html
import json
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.db import models, transaction
from django.utils import timezone

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
from exams.content.verification import apply_result, parsed_document, verify_documents
from exams.interop.common import FORMATS, CategoryUse, InteropOptions, format_for
from exams.models import Answer, Exam, Question, Topic
from exams.selectors import current_syllabus, questions_with_learner_answers
from exams.verifier import ERROR, MISMATCH, QuestionResult, SandboxUnavailable

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
BOOKKEEPING_FIELDS = (
    "verification_status", "verification_detail", "verified_at", "origin", "imported_hash",
    "file_hash",
)  # fmt: skip
ANSWER_FIELDS = (
    "text", "html_content", "is_correct", "explanation", "answer_order", "raises", "gap_number",
)  # fmt: skip


class ImportAborted(Exception):
    """Raised inside the transaction to roll everything back when a write is refused."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True)
class Conflict:
    """An edited question the file would overwrite: which, and which of its parts differ."""

    path: str
    source_file: str
    question_id: str
    fields: tuple[str, ...]
    file_changed: bool  # the file's version also differs from the one imported before

    def __str__(self) -> str:
        who = "edited here and changed in the file" if self.file_changed else "edited here"
        return (
            f"{self.source_file}: question {self.question_id} was {who}; kept the database's "
            f"version (differs in: {', '.join(self.fields)})"
        )


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
    # Questions edited here since their import whose file says otherwise: left as they are.
    conflicts: list[Conflict] = field(default_factory=list)
    taken_from_file: int = 0  # edited questions overwritten because the import was told to
    verified: int = 0  # keys of the files' questions that running them confirmed
    # Categories of foreign files (Moodle XML, GIFT) and the objective each maps to.
    categories: list[CategoryUse] = field(default_factory=list)
    not_verified_reason: str = ""  # set when the sandbox could not run: statuses unchecked

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


def read_question_file(
    path: Path, *, objectives: Mapping[str | None, set[str]], interop: InteropOptions | None
) -> tuple[ParsedFile | None, list[ContentProblem], list[CategoryUse]]:
    """One file in its format (given, or by its ending): YAML as it is, other formats through
    their translation (exams.interop), then the same validation. Without `interop` every
    file is YAML (the REST API and the authoring service take nothing else)."""
    file_format = "yaml" if interop is None else format_for(path.name, interop.file_format)
    if file_format in (None, "yaml"):
        parsed, problems = read_content_file(path, objectives=objectives)
        return parsed, problems, []
    if file_format not in FORMATS:
        message = f"unknown format {file_format!r}; one of {', '.join(FORMATS)}."
        return None, [ContentProblem(str(path), None, None, message)], []
    from exams.interop.reading import read_foreign_file  # the readers import parsing

    return read_foreign_file(path, file_format=file_format, objectives=objectives, options=interop)


def _read_all(
    paths: list[Path], objectives: Mapping[str | None, set[str]], interop: InteropOptions | None
) -> list[tuple[ParsedFile | None, list[ContentProblem], list[CategoryUse]]]:
    def size(path: Path) -> int:
        try:
            return path.stat().st_size
        except OSError:
            return 0

    def is_yaml(path: Path) -> bool:
        return interop is None or format_for(path.name, interop.file_format) in (None, "yaml")

    workers = min(len(paths), os.cpu_count() or 1)
    # Only YAML is parsed in the workers: a spawned worker has no Django set up, and the
    # foreign readers need the models (exams.interop.common uses exams.bank's points rule);
    # parsing.read_content_file does not.
    if (
        workers < 2
        or sum(size(path) for path in paths) < PARALLEL_PARSE_MIN_BYTES
        or not all(is_yaml(path) for path in paths)
    ):
        return [read_question_file(path, objectives=objectives, interop=interop) for path in paths]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(read_content_file, path, objectives=objectives) for path in paths]
        return [(*future.result(), []) for future in futures]


def _objectives_by_syllabus() -> dict[str | None, set[str]]:
    """Each loaded syllabus's objective codes, and the current one's under None."""
    objectives: dict[str | None, set[str]] = defaultdict(set)
    for syllabus_code, topic_code in Topic.objects.values_list("module__syllabus__code", "code"):
        objectives[syllabus_code].add(topic_code)
    current = current_syllabus()
    if current is not None and current.code in objectives:
        objectives[None] = objectives[current.code]
    return dict(objectives)


def parse_files(
    *, paths: Iterable[Path], interop: InteropOptions | None = None
) -> tuple[list[ParsedFile], list[ContentProblem]]:
    """The one validation pass of an import (the command's, the admin upload's): read and check
    every file, and every value against the column it would be written to. Nothing is
    written. Returns the files that can be imported, and the problems of all of them."""
    files, problems, _ = _parse_files(paths=paths, interop=interop)
    return files, problems


def _parse_files(
    *, paths: Iterable[Path], interop: InteropOptions | None
) -> tuple[list[ParsedFile], list[ContentProblem], list[CategoryUse]]:
    paths = [Path(path) for path in paths]
    objectives = _objectives_by_syllabus()
    if None not in objectives:
        return (
            [],
            [
                ContentProblem(
                    str(path), None, None, "no syllabus is loaded: run manage.py load_syllabus."
                )
                for path in paths
            ],
            [],
        )
    files: list[ParsedFile] = []
    problems: list[ContentProblem] = []
    categories: list[CategoryUse] = []
    for parsed, file_problems, file_categories in _read_all(paths, objectives, interop):
        categories.extend(file_categories)
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
    return files, problems, categories


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
    take_file: bool | Iterable[str] = False,
    origin: str = Question.Origin.FILE,
    interop: InteropOptions | None = None,
) -> ImportReport:
    """Validate all files, then create/update/retire questions in one transaction.

    Any problem means nothing is written. A dry run performs the writes and rolls them back,
    so its counts are exactly what a real run would do.

    With `into`, the files' questions are written into that existing question set, and its
    other questions and its own fields are left as they are (the REST API writes one
    question so): a question whose id belongs to another set is refused, a new one goes
    after the set's last, and an existing one keeps its place and its active state.

    Questions edited since their import (in admin or through the API) are not overwritten
    or retired: each one whose file says otherwise is reported as a conflict and kept, unless
    `take_file` is True or names it. Every key is verified first (from the verdict cache
    where it can be): a wrong key is a problem like any other, and nothing is written.

    `interop` says how Moodle XML, GIFT and Aiken files are read (their format, and the
    objective of each category); the report lists the categories found and their mapping.
    Without it, every file is read as YAML.
    """
    files, problems, categories = _parse_files(paths=paths, interop=interop)
    report = ImportReport(
        files=len(files), dry_run=dry_run, problems=problems, categories=categories
    )
    if problems:
        return report
    verdicts = _verify_files(files, report)
    if report.problems:
        return report
    ownership = _Ownership(take_file=take_file, origin=origin)
    try:
        with transaction.atomic():
            _write(
                files,
                report,
                progress or (lambda message: None),
                into=into,
                verdicts=verdicts,
                ownership=ownership,
            )
            if dry_run:
                transaction.set_rollback(True)
    except ImportAborted as aborted:
        return ImportReport(
            files=len(files), dry_run=dry_run, problems=aborted.problems, categories=categories
        )
    return report


def _verify_files(files: list[ParsedFile], report: ImportReport) -> dict[str, QuestionResult]:
    """Every question's verdict by id; a wrong key (or one that cannot run) becomes a problem,
    with the expected and the actual output. Without the sandbox nothing is refused: the
    questions are written unchecked and the report says why."""
    items = [(parsed, item) for parsed in files for item in parsed.questions]
    try:
        results = verify_documents([parsed_document(item) for _, item in items])
    except SandboxUnavailable as error:
        report.not_verified_reason = str(error)
        return {}
    for (parsed, item), result in zip(items, results, strict=True):
        if result.status in (MISMATCH, ERROR):
            for problem in result.problems:
                detail = ""
                if problem.expected or problem.actual:
                    detail = (
                        f" (expected: {_cut(problem.expected)}; actual: {_cut(problem.actual)})"
                    )
                word = "wrong key" if result.status == MISMATCH else "key cannot be checked"
                report.problems.append(
                    ContentProblem(
                        parsed.path,
                        item.line,
                        item.original_id,
                        f"{word}: {_cut(problem.message, 100)}{detail}",
                    )
                )
        elif result.status != "not_verifiable":
            report.verified += 1
    return {item.original_id: result for (_, item), result in zip(items, results, strict=True)}


def _cut(text: str, limit: int = 40) -> str:
    """Quoted code and output can be huge (a file's values are the author's): cut them."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# The parts of a question its file gives, and so the parts its content hash covers. Rendered
# HTML is left out: it follows from the Markdown.
OWNED_FIELDS = (
    "text", "difficulty", "code_snippet", "explanation", "kind", "points", "choose", "stdin",
    "expected_output", "verify_mode", "verify_reason", "line_rule", "reviewed_by", "reviewed_on",
)  # fmt: skip
OWNED_ANSWER_FIELDS = ("original_id", "text", "is_correct", "explanation", "raises", "gap_number")


def content_hash(
    *, values: Mapping, objective: str, answers: Iterable[Mapping], active: bool
) -> str:
    """The hash of one version of a question: its owned fields, objective, options and state."""
    material = {
        "fields": {name: values.get(name) for name in OWNED_FIELDS},
        "objective": objective,
        "answers": [[answer.get(name) for name in OWNED_ANSWER_FIELDS] for answer in answers],
        "active": active,
    }
    encoded = json.dumps(material, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


def stored_content(question: Question, answers: Iterable[Answer]) -> tuple[dict, list[dict]]:
    values = {name: getattr(question, name) for name in OWNED_FIELDS}
    ordered = sorted(answers, key=lambda answer: (answer.answer_order, answer.pk or 0))
    return values, [
        {name: getattr(answer, name) for name in OWNED_ANSWER_FIELDS} for answer in ordered
    ]


def stored_hash(question: Question, answers: Iterable[Answer]) -> str:
    values, answer_values = stored_content(question, answers)
    objective = question.topic.code if question.topic_id and question.topic else ""
    return content_hash(
        values=values, objective=objective, answers=answer_values, active=question.is_active
    )


def is_edited(question: Question, answers: Iterable[Answer]) -> bool:
    """Changed since it was last taken from its file (or never taken from one)."""
    if question.origin != Question.Origin.FILE:
        return True
    return stored_hash(question, answers) != question.imported_hash


@dataclass
class _Ownership:
    take_file: bool | Iterable[str]
    origin: str

    def takes(self, question_id: str) -> bool:
        if isinstance(self.take_file, bool):
            return self.take_file
        return question_id in set(self.take_file)


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
    files: list[ParsedFile],
    report: ImportReport,
    progress,
    *,
    into: Exam | None = None,
    verdicts: Mapping[str, QuestionResult],
    ownership: _Ownership,
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
        for question in Question.objects.filter(original_id__in=all_ids).select_related("topic")
    }
    now = timezone.now()

    def take_verdict(question: Question) -> None:
        result = verdicts.get(question.original_id)
        if result is None:
            question.verification_status = Question.VerificationStatus.UNCHECKED
            question.verification_detail = ""
        else:
            apply_result(question, result, now=now)

    def take_ownership(question: Question, fingerprint: str) -> None:
        question.origin = ownership.origin
        question.imported_hash = question.file_hash = fingerprint
        take_verdict(question)

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
    # Questions whose content stays but whose bookkeeping changes (a verdict, the file's hash).
    noted_questions: list[Question] = []
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
            fingerprint = content_hash(
                values=values,
                objective=item.objective,
                answers=[
                    {"original_id": answer.original_id, **fields}
                    for answer, fields in _answers_with_values(item)
                ],
                active=values["is_active"],
            )
            if question is None:
                question = Question(original_id=item.original_id, **values)
                take_ownership(question, fingerprint)
                new_questions.append((question, item))
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
                current_answers = existing_answers[question.pk].values()
                if (
                    stored_hash(question, current_answers) != fingerprint
                    and is_edited(question, current_answers)
                    and not ownership.takes(item.original_id)
                ):
                    report.conflicts.append(
                        _conflict(parsed, item, question, current_answers, values, fingerprint)
                    )
                    if question.file_hash != fingerprint:
                        question.file_hash = fingerprint
                        noted_questions.append(question)
                    done += 1
                    continue
                if is_edited(question, current_answers):
                    report.taken_from_file += 1
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
                    take_ownership(question, fingerprint)
                    changed_questions.append(question)
                    answers_to_create.extend(to_create)
                    answers_to_update.extend(to_update)
                else:
                    report.unchanged += 1
                    verdict = verdicts.get(item.original_id)
                    if verdict is not None and question.verification_status != verdict.status:
                        take_verdict(question)
                        noted_questions.append(question)
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
        changed_questions, [*QUESTION_FIELDS, *BOOKKEEPING_FIELDS], batch_size=BATCH_SIZE
    )
    Question.objects.bulk_update(noted_questions, BOOKKEEPING_FIELDS, batch_size=BATCH_SIZE)
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
        # Only questions this file brought, unedited: an instructor's are never retired here.
        candidates = (
            Question.objects.filter(exam=exam, is_active=True, origin=Question.Origin.FILE)
            .exclude(original_id__in=kept)
            .select_related("topic")
            .prefetch_related("answers")
        )
        to_retire = [
            question for question in candidates if not is_edited(question, question.answers.all())
        ]
        for question in to_retire:
            question.is_active = False
            # Retired as the file says, so a file that brings it back may reactivate it.
            question.imported_hash = stored_hash(question, question.answers.all())
        if to_retire:
            Question.objects.bulk_update(
                to_retire, ["is_active", "imported_hash"], batch_size=BATCH_SIZE
            )
        report.retired += len(to_retire)
        # Kept edits may be inactive ones (an instructor retired them): then count.
        kept_all = not report.conflicts
        recount_active_questions(exam=exam, active_count=len(kept) if kept_all else None)


def _conflict(parsed, item, question, current_answers, values, fingerprint) -> Conflict:
    stored_values, stored_answers = stored_content(question, current_answers)
    fields = [name for name in OWNED_FIELDS if stored_values[name] != values.get(name)]
    file_answers = [
        {"original_id": answer.original_id}
        | {name: value for name, value in answer_fields.items() if name in OWNED_ANSWER_FIELDS}
        for answer, answer_fields in _answers_with_values(item)
    ]
    if stored_answers != file_answers:
        fields.append("answers")
    if (question.topic.code if question.topic else "") != item.objective:
        fields.append("objective")
    if question.is_active != values["is_active"]:
        fields.append("active")
    return Conflict(
        path=parsed.path,
        source_file=parsed.source_file,
        question_id=item.original_id,
        fields=tuple(FILE_KEYS.get(name, name).strip("'") for name in fields) or ("origin",),
        file_changed=bool(question.imported_hash) and question.imported_hash != fingerprint,
    )


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
