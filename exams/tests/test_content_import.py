"""Tests for importing and exporting question files (docs/content-format.md): the service
`import_content`, the `import_questions` and `export_questions` commands, and round trips."""

from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exams.content import parsing
from exams.content.importing import ImportReport, import_content
from exams.content.parsing import ContentProblem
from exams.models import Answer, Exam, Question
from exams.tests.factories import ExamSessionFactory, UserResponseFactory

pytestmark = pytest.mark.django_db

SAMPLE_PATH = Path(__file__).parent / "content_samples" / "sample.yaml"
SAMPLE_TEXT = SAMPLE_PATH.read_text(encoding="utf-8")
SAMPLE_IDS = ["pipeline-single", "pipeline-multiple", "pipeline-order", "pipeline-gap"]
# single 4 options + multiple 4 + order 4 items + gap 2 gaps x 2 accepted texts.
SAMPLE_ANSWER_COUNT = 16

# An edit that is valid on its own: every refused file also carries it, so a refusal that
# wrote the valid part of the file would show up as a changed row.
GOOD_EDIT = (
    'text: "Arrange the lines so that the program prints `9`."',
    'text: "Put the lines in order so that the program prints `9`."',
)

# A set exercising what the sample does not: a timed fixed set, stdin, explicit answer ids,
# `raises: any`, `verify: none` with its reason, multi-line Markdown and non-ASCII text.
RICH_DOCUMENT = {
    "format": 1,
    "exam": {
        "title": "Timed practice set — ünïcode",
        "description": "",
        "version": "2.3",
        "kind": "fixed",
        "minutes": 45,
    },
    "questions": [
        {
            "id": "rich-stdin",
            "objective": "1.5",
            "kind": "single",
            "difficulty": 1,
            "points": 20,
            "text": "The user types `ada`.\n\nWhat does the program **print**?\n",
            "code": "name = input()\nprint(name.upper())\n",
            "stdin": "ada\n",
            "answers": [
                {
                    "id": "upper",
                    "text": "ADA",
                    "correct": True,
                    "explanation": "upper() returns a copy with every letter in capitals.",
                },
                {
                    "id": "same",
                    "text": "ada",
                    "explanation": "Thinks upper() only tests the case of the string.",
                },
                {
                    "id": "boom",
                    "text": "The code raises an exception",
                    "raises": "any",
                    "explanation": "input() returns a str, and str has upper().",
                },
            ],
            "verify": "output",
            "explanation": "input() returns the typed line without its newline.",
        },
        {
            "id": "rich-terms",
            "objective": "1.1",
            "kind": "multiple",
            "difficulty": 2,
            "points": 30,
            "text": "Which two statements about the interpreter are true? Choose two.",
            "choose": 2,
            "answers": [
                {"text": "It runs source code", "correct": True, "explanation": "It does."},
                {"text": "It reads .py files", "correct": True, "explanation": "It does."},
                {"text": "It needs a linker", "explanation": "Linking is a compiler's step."},
            ],
            "verify": "none",
            "verify_reason": "Terminology: nothing to run.",
            "explanation": "An interpreter executes the source directly.",
        },
    ],
}


@pytest.fixture
def sample_file(tmp_path: Path) -> Path:
    return write_file(tmp_path, "sample.yaml", SAMPLE_TEXT)


@pytest.fixture
def imported_sample(syllabus, sample_file: Path) -> Path:
    report = import_content(paths=[sample_file])
    assert report.ok, [str(problem) for problem in report.problems]
    return sample_file


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def write_file(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(text: str, *replacements: tuple[str, str]) -> str:
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} must occur exactly once"
        text = text.replace(old, new)
    return text


def line_of(text: str, needle: str) -> int:
    lines = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(lines) == 1, f"{needle!r} must be on exactly one line"
    return lines[0]


def database_state() -> dict[str, list[dict]]:
    """Every column of every question set, question and answer row."""
    return {
        "exams": list(Exam.objects.order_by("pk").values()),
        "questions": list(Question.objects.order_by("pk").values()),
        "answers": list(Answer.objects.order_by("pk").values()),
    }


def row_counts() -> tuple[int, int, int]:
    return Exam.objects.count(), Question.objects.count(), Answer.objects.count()


def only_problem(report: ImportReport) -> ContentProblem:
    assert len(report.problems) == 1, [str(problem) for problem in report.problems]
    return report.problems[0]


def assert_located(
    problem: ContentProblem,
    *,
    path: Path,
    line: int | None,
    question_id: str | None,
    words: tuple[str, ...],
) -> None:
    """The problem names the file, the line and the question, in words an author follows."""
    message = str(problem)
    assert Path(problem.path).name == path.name
    assert problem.line == line
    assert problem.question_id == question_id
    where = f"{path}:{line}" if line else str(path)
    assert message.startswith(where + ":"), message
    if question_id:
        assert f" question {question_id}: " in message, message
    for word in words:
        assert word in message, message


def semantic(document: dict) -> dict:
    """A file's meaning: `correct` left out of a choice answer means false."""
    document = copy.deepcopy(document)
    for question in document["questions"]:
        if question["kind"] in ("single", "multiple"):
            for answer in question["answers"]:
                answer["correct"] = bool(answer.get("correct", False))
    return document


def run_import_command(*paths: Path, dry_run: bool = False) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    options = ["--dry-run"] if dry_run else []
    call_command(
        "import_questions", *[str(path) for path in paths], *options, stdout=stdout, stderr=stderr
    )
    return stdout.getvalue(), stderr.getvalue()


# ---------------------------------------------------------------------------------------
# Refused files: located message, nothing written
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadEdit:
    """An edit to the sample that makes one question invalid."""

    old: str
    new: str
    question_id: str
    words: tuple[str, ...]
    located_at: str = ""  # the question whose first line is reported, if not question_id


BAD_EDITS = {
    "unknown-objective": BadEdit(
        old='objective: "1.5"',
        new='objective: "9.9"',
        question_id="pipeline-single",
        words=('unknown objective "9.9"',),
    ),
    "single-choice-with-two-correct-answers": BadEdit(
        old='      - text: "ab-ab-c"\n',
        new='      - text: "ab-ab-c"\n        correct: true\n',
        question_id="pipeline-single",
        words=("single-choice question with 2 correct answers", "exactly one may be correct"),
    ),
    "single-choice-without-correct-answer": BadEdit(
        old='      - text: "abab-c"\n        correct: true\n',
        new='      - text: "abab-c"\n',
        question_id="pipeline-single",
        words=("no correct answer", "correct: true"),
    ),
    "multiple-choice-choose-differs-from-correct-answers": BadEdit(
        old="choose: 2",
        new="choose: 3",
        question_id="pipeline-multiple",
        words=("choose 3 but 2 answers are correct",),
    ),
    "gap-without-accepted-answers": BadEdit(
        old='- accepted: ["-1", "5"]',
        new="- accepted: []",
        question_id="pipeline-gap",
        words=("gap 2 has no accepted answers",),
    ),
    "verify-none-without-reason": BadEdit(
        old="verify: expressions",
        new="verify: none",
        question_id="pipeline-multiple",
        words=("'verify: none' needs a 'verify_reason'",),
    ),
    "duplicate-id-in-one-file": BadEdit(
        old="id: pipeline-gap",
        new="id: pipeline-order",
        question_id="pipeline-order",
        words=("duplicate id", "already used in sample.yaml"),
        located_at="pipeline-gap",
    ),
}


@pytest.mark.parametrize("case", BAD_EDITS.values(), ids=BAD_EDITS.keys())
def test_invalid_question_is_reported_with_its_location_and_nothing_is_written(
    imported_sample: Path, case: BadEdit
):
    bad_text = edited(SAMPLE_TEXT, (case.old, case.new), GOOD_EDIT)
    write_file(imported_sample.parent, imported_sample.name, bad_text)
    before = database_state()

    report = import_content(paths=[imported_sample])

    assert_located(
        only_problem(report),
        path=imported_sample,
        line=line_of(SAMPLE_TEXT, f"id: {case.located_at or case.question_id}"),
        question_id=case.question_id,
        words=case.words,
    )
    assert report.writes == 0
    assert database_state() == before


@pytest.mark.parametrize("case", BAD_EDITS.values(), ids=BAD_EDITS.keys())
def test_import_command_fails_on_invalid_question_and_prints_the_problem(
    imported_sample: Path, case: BadEdit
):
    bad_text = edited(SAMPLE_TEXT, (case.old, case.new), GOOD_EDIT)
    write_file(imported_sample.parent, imported_sample.name, bad_text)
    before = database_state()
    stderr = io.StringIO()

    with pytest.raises(CommandError, match=r"1 problem\(s\) found; nothing was written"):
        call_command("import_questions", str(imported_sample), stderr=stderr)

    line = line_of(SAMPLE_TEXT, f"id: {case.located_at or case.question_id}")
    assert f"{imported_sample}:{line}: question {case.question_id}: " in stderr.getvalue()
    assert all(word in stderr.getvalue() for word in case.words)
    assert database_state() == before


def test_duplicate_id_across_two_files_of_one_import_is_refused(syllabus, tmp_path: Path):
    sample = write_file(tmp_path, "sample.yaml", SAMPLE_TEXT)
    other_text = edited(
        SAMPLE_TEXT,
        ('title: "Content pipeline sample"', 'title: "Another set"'),
        ("id: pipeline-single", "id: other-single"),
        ("id: pipeline-multiple", "id: other-multiple"),
        ("id: pipeline-order", "id: other-order"),
    )
    other = write_file(tmp_path, "other.yaml", other_text)
    before = database_state()

    report = import_content(paths=[sample, other])

    assert_located(
        only_problem(report),
        path=other,
        line=line_of(other_text, "id: pipeline-gap"),
        question_id="pipeline-gap",
        words=("duplicate id", "already used in sample.yaml"),
    )
    assert database_state() == before


def test_id_already_used_by_another_files_question_is_refused(
    imported_sample: Path, tmp_path: Path
):
    other_text = edited(
        SAMPLE_TEXT,
        ('title: "Content pipeline sample"', 'title: "Another set"'),
        ("id: pipeline-single", "id: other-single"),
        ("id: pipeline-multiple", "id: other-multiple"),
        ("id: pipeline-order", "id: other-order"),
    )
    other = write_file(tmp_path, "other.yaml", other_text)
    before = database_state()

    report = import_content(paths=[other])

    assert_located(
        only_problem(report),
        path=other,
        line=line_of(other_text, "id: pipeline-gap"),
        question_id="pipeline-gap",
        words=("duplicate id", "sample.yaml"),
    )
    assert database_state() == before


def test_malformed_yaml_is_reported_with_its_line(imported_sample: Path):
    bad_text = edited(SAMPLE_TEXT, ("    choose: 2\n", "    choose: 2: 3\n"), GOOD_EDIT)
    write_file(imported_sample.parent, imported_sample.name, bad_text)
    before = database_state()

    report = import_content(paths=[imported_sample])

    assert_located(
        only_problem(report),
        path=imported_sample,
        line=line_of(SAMPLE_TEXT, "choose: 2"),
        question_id=None,
        words=("malformed YAML", "mapping values are not allowed"),
    )
    assert database_state() == before


def test_duplicate_key_in_a_question_is_reported(imported_sample: Path):
    bad_text = edited(
        SAMPLE_TEXT,
        (
            "    choose: 2\n    difficulty: 3\n",
            "    choose: 2\n    difficulty: 3\n    difficulty: 5\n",
        ),
        GOOD_EDIT,
    )
    write_file(imported_sample.parent, imported_sample.name, bad_text)
    before = database_state()

    report = import_content(paths=[imported_sample])

    # PyYAML alone would keep the second `difficulty` silently; the second one is reported.
    assert_located(
        only_problem(report),
        path=imported_sample,
        line=line_of(bad_text, "difficulty: 5"),
        question_id=None,
        words=("the key 'difficulty' appears twice",),
    )
    assert database_state() == before


def test_python_object_tag_is_not_executed_and_the_file_is_refused(
    imported_sample: Path, tmp_path: Path
):
    marker = tmp_path / "code-was-executed"
    bad_text = edited(
        SAMPLE_TEXT,
        (
            '    code: |\n      print("ab" * 2, "c", sep="-")\n',
            f'    code: !!python/object/apply:os.system ["touch {marker}"]\n',
        ),
        GOOD_EDIT,
    )
    write_file(imported_sample.parent, imported_sample.name, bad_text)
    before = database_state()

    report = import_content(paths=[imported_sample])

    assert not marker.exists()
    assert_located(
        only_problem(report),
        path=imported_sample,
        line=line_of(SAMPLE_TEXT, "id: pipeline-single"),
        question_id="pipeline-single",
        words=("'code' must be text",),
    )
    assert database_state() == before


def test_file_with_one_good_and_one_bad_question_writes_neither(syllabus, tmp_path: Path):
    document = yaml.safe_load(SAMPLE_TEXT)
    good, bad = copy.deepcopy(document["questions"][:2])
    bad["choose"] = 1
    document["questions"] = [good, bad]
    path = write_file(tmp_path, "two.yaml", yaml.safe_dump(document, sort_keys=False))
    counts = row_counts()

    report = import_content(paths=[path])

    assert [problem.question_id for problem in report.problems] == ["pipeline-multiple"]
    assert report.created == 0
    assert row_counts() == counts
    assert not Exam.objects.filter(source_file="two.yaml").exists()


def test_good_file_is_not_written_when_another_file_of_the_import_is_bad(syllabus, tmp_path: Path):
    good = write_file(tmp_path, "good.yaml", SAMPLE_TEXT)
    bad_text = edited(
        SAMPLE_TEXT,
        ("id: pipeline-single", "id: bad-single"),
        ("id: pipeline-multiple", "id: bad-multiple"),
        ("id: pipeline-order", "id: bad-order"),
        ("id: pipeline-gap", "id: bad-gap"),
        ('objective: "1.5"', 'objective: "9.9"'),
    )
    bad = write_file(tmp_path, "bad.yaml", bad_text)
    counts = row_counts()

    report = import_content(paths=[good, bad])

    assert [Path(problem.path).name for problem in report.problems] == ["bad.yaml"]
    assert row_counts() == counts


def test_file_over_the_size_limit_is_refused(imported_sample: Path, monkeypatch):
    monkeypatch.setattr(parsing, "MAX_FILE_BYTES", 200)
    write_file(imported_sample.parent, imported_sample.name, edited(SAMPLE_TEXT, GOOD_EDIT))
    size = imported_sample.stat().st_size
    before = database_state()

    report = import_content(paths=[imported_sample])

    assert_located(
        only_problem(report),
        path=imported_sample,
        line=None,
        question_id=None,
        words=(f"the file is {size} bytes; the limit is 200 bytes.",),
    )
    assert database_state() == before


def test_file_over_the_question_limit_is_refused(imported_sample: Path, monkeypatch):
    monkeypatch.setattr(parsing, "MAX_QUESTIONS_PER_FILE", 3)
    write_file(imported_sample.parent, imported_sample.name, edited(SAMPLE_TEXT, GOOD_EDIT))
    before = database_state()

    report = import_content(paths=[imported_sample])

    assert_located(
        only_problem(report),
        path=imported_sample,
        line=None,
        question_id=None,
        words=("the file has 4 questions; the limit is 3", "Split it into several files"),
    )
    assert database_state() == before


@pytest.mark.parametrize(
    "name",
    ["my questions.yaml", "questions;rm -rf.yaml", "..\\escape.yaml", "blöck1.yaml", "notes.txt"],
)
def test_file_name_with_unsafe_characters_is_refused(syllabus, tmp_path: Path, name: str):
    path = write_file(tmp_path, name, SAMPLE_TEXT)
    counts = row_counts()

    report = import_content(paths=[path])

    assert_located(
        only_problem(report),
        path=path,
        line=None,
        question_id=None,
        words=("file names may use letters, digits",),
    )
    assert row_counts() == counts


def test_import_command_fails_on_a_missing_syllabus(tmp_path: Path):
    path = write_file(tmp_path, "sample.yaml", SAMPLE_TEXT)
    stderr = io.StringIO()

    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_questions", str(path), stderr=stderr)

    assert "no syllabus is loaded: run manage.py load_syllabus" in stderr.getvalue()
    assert Question.objects.count() == 0


# ---------------------------------------------------------------------------------------
# Creating, updating, retiring
# ---------------------------------------------------------------------------------------


def test_sample_import_creates_one_question_of_each_kind(syllabus, sample_file: Path):
    report = import_content(paths=[sample_file])

    assert report.ok
    assert (report.created, report.updated, report.unchanged, report.retired) == (4, 0, 0, 0)
    assert report.exams_created == 1
    exam = Exam.objects.get(source_file="sample.yaml")
    assert exam.title == "Content pipeline sample"
    assert exam.total_questions == 4
    questions = {question.original_id: question for question in exam.questions.all()}
    assert list(questions) == SAMPLE_IDS
    assert [question.kind for question in questions.values()] == [
        "single",
        "multiple",
        "order",
        "gap",
    ]
    assert questions["pipeline-single"].topic.code == "1.5"
    assert questions["pipeline-multiple"].choose == 2
    assert questions["pipeline-order"].expected_output == "9\n"
    assert Answer.objects.count() == SAMPLE_ANSWER_COUNT
    single_keys = questions["pipeline-single"].answers.filter(is_correct=True)
    assert [answer.text for answer in single_keys] == ["abab-c"]
    assert questions["pipeline-single"].answers.get(original_id="d").raises == "TypeError"
    gap_answers = questions["pipeline-gap"].answers.order_by("answer_order")
    assert [(answer.gap_number, answer.text) for answer in gap_answers] == [
        (1, "0"),
        (1, "-6"),
        (2, "-1"),
        (2, "5"),
    ]


def write_statements(captured: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_second_import_of_the_same_file_writes_nothing(imported_sample: Path):
    before = database_state()

    with CaptureQueriesContext(connection) as captured:
        report = import_content(paths=[imported_sample])

    assert write_statements(captured) == []
    assert report.writes == 0
    assert report.unchanged == 4
    assert database_state() == before


def test_unchanged_import_takes_a_fixed_number_of_queries(
    imported_sample: Path, django_assert_max_num_queries
):
    # Reads are batched (one query per table, and one for the cached verdicts), never one
    # query per question.
    with django_assert_max_num_queries(13):
        import_content(paths=[imported_sample])


def test_edited_question_is_updated_in_place_by_id(imported_sample: Path, jail):
    question = Question.objects.get(original_id="pipeline-order")
    Question.objects.filter(pk=question.pk).update(
        verification_status=Question.VerificationStatus.VERIFIED
    )
    answers_before = list(Answer.objects.order_by("pk").values())
    write_file(imported_sample.parent, imported_sample.name, edited(SAMPLE_TEXT, GOOD_EDIT))

    report = import_content(paths=[imported_sample])

    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    assert Question.objects.count() == 4
    question.refresh_from_db()
    assert question.text == "Put the lines in order so that the program prints `9`."
    assert "Put the lines in order" in question.html_content
    # A changed question is verified again, as part of its import.
    assert question.verification_status == Question.VerificationStatus.VERIFIED
    assert question.verified_at is not None
    assert list(Answer.objects.order_by("pk").values()) == answers_before


def test_edited_answer_is_updated_in_place_by_its_position(imported_sample: Path):
    answer = Answer.objects.get(question__original_id="pipeline-single", original_id="b")
    text = edited(SAMPLE_TEXT, ('- text: "ab-ab-c"', '- text: "ab ab c"'))
    write_file(imported_sample.parent, imported_sample.name, text)

    report = import_content(paths=[imported_sample])

    assert report.updated == 1
    assert Answer.objects.count() == SAMPLE_ANSWER_COUNT
    answer.refresh_from_db()
    assert answer.text == "ab ab c"


def test_question_removed_from_its_file_is_retired_not_deleted(imported_sample: Path):
    document = yaml.safe_load(SAMPLE_TEXT)
    document["questions"] = [q for q in document["questions"] if q["id"] != "pipeline-gap"]
    write_file(imported_sample.parent, imported_sample.name, yaml.safe_dump(document))

    report = import_content(paths=[imported_sample])

    assert report.retired == 1
    assert report.unchanged == 3
    retired = Question.objects.get(original_id="pipeline-gap")
    assert retired.is_active is False
    assert retired.answers.count() == 4
    assert Question.objects.filter(is_active=True).count() == 3
    assert Exam.objects.get(source_file="sample.yaml").total_questions == 3


def test_retired_question_put_back_in_its_file_is_active_again(imported_sample: Path):
    document = yaml.safe_load(SAMPLE_TEXT)
    document["questions"] = [q for q in document["questions"] if q["id"] != "pipeline-gap"]
    write_file(imported_sample.parent, imported_sample.name, yaml.safe_dump(document))
    assert import_content(paths=[imported_sample]).retired == 1
    write_file(imported_sample.parent, imported_sample.name, SAMPLE_TEXT)

    report = import_content(paths=[imported_sample])

    assert report.updated == 1
    assert not report.conflicts
    assert Question.objects.get(original_id="pipeline-gap").is_active is True


def test_question_an_instructor_deactivated_stays_inactive(imported_sample: Path):
    Question.objects.filter(original_id="pipeline-gap").update(is_active=False)

    report = import_content(paths=[imported_sample])

    assert report.updated == 0
    assert [conflict.question_id for conflict in report.conflicts] == ["pipeline-gap"]
    assert report.conflicts[0].fields == ("active",)
    assert Question.objects.get(original_id="pipeline-gap").is_active is False


def test_dry_run_reports_the_counts_and_writes_nothing(syllabus, sample_file: Path):
    counts = row_counts()

    report = import_content(paths=[sample_file], dry_run=True)

    assert report.ok
    assert report.dry_run is True
    assert (report.created, report.exams_created) == (4, 1)
    assert row_counts() == counts


def test_dry_run_of_an_edit_reports_the_update_and_changes_nothing(imported_sample: Path):
    write_file(imported_sample.parent, imported_sample.name, edited(SAMPLE_TEXT, GOOD_EDIT))
    before = database_state()

    report = import_content(paths=[imported_sample], dry_run=True)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    assert database_state() == before


def test_raw_html_in_markdown_is_sanitized(syllabus, tmp_path: Path):
    text = edited(
        SAMPLE_TEXT,
        (
            'text: "What does the following snippet print?"',
            'text: "What does <script>alert(1)</script> print? <img src=x onerror=alert(2)>"',
        ),
        (
            'explanation: "String repetition happens first;',
            'explanation: "<script>alert(3)</script> String repetition happens first;',
        ),
        ('- text: "abab c"', '- text: "<script>alert(4)</script>"'),
    )
    path = write_file(tmp_path, "sample.yaml", text)

    report = import_content(paths=[path])

    assert report.ok
    question = Question.objects.get(original_id="pipeline-single")
    assert "<script" in question.text  # the source is kept as written
    assert "<script" not in question.html_content
    assert "<img" not in question.html_content
    assert "<script" not in question.explanation_html
    answer = question.answers.get(original_id="c")
    assert "<script" not in answer.html_content


def test_removing_an_answer_a_learner_chose_is_refused(imported_sample: Path):
    question = Question.objects.get(original_id="pipeline-single")
    chosen = question.answers.get(original_id="d")
    session = ExamSessionFactory(exam=question.exam)
    UserResponseFactory(session=session, question=question, answer=chosen)
    without_chosen = edited(
        SAMPLE_TEXT,
        (
            '      - text: "The code raises a TypeError"\n'
            "        raises: TypeError\n"
            '        explanation: "Multiplying a string by an int is allowed: it repeats '
            'the string."\n',
            "",
        ),
        GOOD_EDIT,
    )
    write_file(imported_sample.parent, imported_sample.name, without_chosen)
    before = database_state()

    report = import_content(paths=[imported_sample])

    problem = only_problem(report)
    assert problem.question_id == "pipeline-single"
    assert "answer d was chosen by learners and cannot be removed" in str(problem)
    assert "mark it wrong" in str(problem)
    assert report.writes == 0
    assert database_state() == before


def test_refused_answer_removal_names_the_file_and_line(imported_sample: Path):
    question = Question.objects.get(original_id="pipeline-single")
    chosen = question.answers.get(original_id="d")
    UserResponseFactory(
        session=ExamSessionFactory(exam=question.exam), question=question, answer=chosen
    )
    document = yaml.safe_load(SAMPLE_TEXT)
    del document["questions"][0]["answers"][3]
    text = yaml.safe_dump(document, sort_keys=False)
    write_file(imported_sample.parent, imported_sample.name, text)

    report = import_content(paths=[imported_sample])

    assert_located(
        only_problem(report),
        path=imported_sample,
        line=line_of(text, "id: pipeline-single"),
        question_id="pipeline-single",
        words=("answer d was chosen by learners",),
    )


def test_removing_a_chosen_answer_from_the_middle_is_refused(imported_sample: Path):
    question = Question.objects.get(original_id="pipeline-single")
    chosen = question.answers.get(text="ab-ab-c")
    UserResponseFactory(
        session=ExamSessionFactory(exam=question.exam), question=question, answer=chosen
    )
    without_chosen = edited(
        SAMPLE_TEXT,
        (
            '      - text: "ab-ab-c"\n'
            '        explanation: "Thinks the repetition produces two separate arguments for '
            'print()."\n',
            "",
        ),
    )
    write_file(imported_sample.parent, imported_sample.name, without_chosen)
    before = database_state()

    report = import_content(paths=[imported_sample])

    chosen.refresh_from_db()
    assert chosen.text == "ab-ab-c"
    assert not report.ok
    assert database_state() == before


# ---------------------------------------------------------------------------------------
# The commands
# ---------------------------------------------------------------------------------------


def test_import_command_prints_the_counts(syllabus, sample_file: Path):
    stdout, _ = run_import_command(sample_file)

    assert "1 file(s): 4 created, 0 updated, 0 unchanged, 0 retired" in stdout
    assert "question sets: 1 created, 0 updated" in stdout
    assert Question.objects.count() == 4


def test_import_command_says_when_everything_was_up_to_date(imported_sample: Path):
    write_file(imported_sample.parent, imported_sample.name, edited(SAMPLE_TEXT, GOOD_EDIT))
    stdout, _ = run_import_command(imported_sample)
    assert "0 created, 1 updated, 3 unchanged, 0 retired" in stdout

    stdout, _ = run_import_command(imported_sample)

    assert "0 created, 0 updated, 4 unchanged, 0 retired" in stdout
    assert "Everything was already up to date: nothing written." in stdout


def test_import_command_dry_run_reports_and_writes_nothing(syllabus, sample_file: Path):
    counts = row_counts()

    stdout, _ = run_import_command(sample_file, dry_run=True)

    assert "Dry run, nothing written: would have 1 file(s): 4 created" in stdout
    assert row_counts() == counts


def test_export_command_writes_one_file_per_question_set(imported_sample: Path, tmp_path):
    out = tmp_path / "exported"
    stdout = io.StringIO()

    call_command("export_questions", "--out", str(out), stdout=stdout)

    assert [path.name for path in out.iterdir()] == ["sample.yaml"]
    assert f"wrote {out / 'sample.yaml'}" in stdout.getvalue()
    assert "1 file(s) exported." in stdout.getvalue()


def test_export_command_refuses_a_source_file_that_points_outside_the_folder(
    imported_sample: Path, tmp_path: Path
):
    Exam.objects.filter(source_file="sample.yaml").update(source_file="../escape.yaml")
    out = tmp_path / "exported"

    with pytest.raises(CommandError, match=re.escape("unsafe file name '../escape.yaml'")):
        call_command("export_questions", "--out", str(out), stdout=io.StringIO())

    assert not (tmp_path / "escape.yaml").exists()
    assert list(out.iterdir()) == []


# ---------------------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------------------


def test_exported_sample_means_the_same_as_the_sample(imported_sample: Path, tmp_path: Path):
    out = tmp_path / "exported"

    call_command("export_questions", "--out", str(out), stdout=io.StringIO())

    exported = yaml.safe_load((out / "sample.yaml").read_text(encoding="utf-8"))
    assert semantic(exported) == semantic(yaml.safe_load(SAMPLE_TEXT))


def test_exported_rich_set_means_the_same_as_its_source(syllabus, tmp_path: Path):
    source = write_file(tmp_path, "rich.yaml", yaml.safe_dump(RICH_DOCUMENT, allow_unicode=True))
    assert import_content(paths=[source]).ok
    out = tmp_path / "exported"

    call_command("export_questions", "--out", str(out), stdout=io.StringIO())

    exported = yaml.safe_load((out / "rich.yaml").read_text(encoding="utf-8"))
    assert semantic(exported) == semantic(RICH_DOCUMENT)


def test_importing_the_export_of_the_database_changes_no_row(syllabus, tmp_path: Path):
    source = tmp_path / "source"
    source.mkdir()
    paths = [
        write_file(source, "sample.yaml", SAMPLE_TEXT),
        write_file(source, "rich.yaml", yaml.safe_dump(RICH_DOCUMENT, allow_unicode=True)),
    ]
    assert import_content(paths=paths).ok
    out = tmp_path / "exported"
    call_command("export_questions", "--out", str(out), stdout=io.StringIO())
    before = database_state()

    report = import_content(paths=sorted(out.iterdir()))

    assert report.ok, [str(problem) for problem in report.problems]
    assert report.writes == 0
    assert report.unchanged == 6
    assert database_state() == before
