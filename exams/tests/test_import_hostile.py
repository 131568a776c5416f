"""Hostile question files: each defence of the importer, tested with the attack it stops.

Every refusal is checked the way an author and an operator meet it: a report naming the
file, the line and the field, the same in `manage.py import_questions` and the admin
upload, and a database left exactly as it was.
"""

from __future__ import annotations

import io
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.html import escape

from exams.content import parsing
from exams.content.importing import import_content
from exams.models import Answer
from exams.tests.test_admin_import import make_author, upload
from exams.tests.test_content_import import (
    SAMPLE_TEXT,
    assert_located,
    database_state,
    edited,
    line_of,
    only_problem,
    write_file,
)

pytestmark = pytest.mark.django_db

# Without their defences these took hours (the aliases) or raised (the nesting); with them
# a refusal takes milliseconds. The bound only turns a hang into a failure.
HANG_GUARD_SECONDS = 5.0
HEADER = 'format: 1\nexam:\n  title: "Hostile"\n  version: "1.0"\n'


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail with TimeoutError, rather than hang, if the block runs longer than `seconds`."""

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def billion_laughs() -> str:
    """Nine levels of nine aliases: 490 bytes that stand for 9**9 strings."""
    lines = ['lol: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[level]
        lines.append(f"{name}{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return HEADER + "\n".join(lines) + "\nquestions: *i\n"


@pytest.fixture
def author_client(client):
    client.force_login(make_author("add_question", "change_question", "view_exam"))
    return client


@pytest.fixture
def seeded_sample(syllabus, tmp_path: Path) -> Path:
    """The sample file, imported: refusals must leave these rows exactly as they are."""
    path = write_file(tmp_path, "sample.yaml", SAMPLE_TEXT)
    assert import_content(paths=[path]).ok
    return path


def command_problems(path: Path) -> list[str]:
    """The problem lines `import_questions` prints, after checking it failed cleanly."""
    stderr = io.StringIO()
    with pytest.raises(CommandError, match=r"problem\(s\) found; nothing was written"):
        call_command("import_questions", str(path), stdout=io.StringIO(), stderr=stderr)
    assert "Traceback" not in stderr.getvalue()
    return stderr.getvalue().splitlines()


def admin_problems(client, path: Path) -> list[str]:
    """The problems the admin upload reports for this file, written as the command prints
    them, after checking the page rendered and offers nothing to confirm."""
    response = upload(client, (path.name, path.read_text(encoding="utf-8")))
    assert response.status_code == 200
    assert response.context["token"] is None
    html = response.content.decode()
    for problem in response.context["problems"]:
        assert escape(problem.message) in html
    return [
        str(parsing.ContentProblem(str(path), item.line, item.question_id, item.message))
        for item in response.context["problems"]
    ]


# ---------------------------------------------------------------------------------------
# Anchors, aliases and nesting: refused on the parser's events, before anything is built
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostileStructure:
    text: str
    line: int
    words: tuple[str, ...]


ANCHORS = ("anchors and aliases (&name, *name) are not allowed",)
HOSTILE_STRUCTURES = {
    "billion-laughs": HostileStructure(billion_laughs(), 5, ANCHORS),
    # One harmless-looking alias is refused too: question files never need them.
    "one-alias": HostileStructure(
        HEADER.replace('"Hostile"', '&title "Hostile"') + "questions: [*title]\n", 3, ANCHORS
    ),
    "500-nested-lists": HostileStructure(
        HEADER + "questions: " + "[" * 500 + "]" * 500 + "\n",
        5,
        ("nested more than 20 levels deep",),
    ),
    "500-nested-mappings": HostileStructure(
        HEADER + "questions: " + "{a: " * 500 + "b" + "}" * 500 + "\n",
        5,
        ("nested more than 20 levels deep",),
    ),
}


@pytest.mark.parametrize("case", HOSTILE_STRUCTURES.values(), ids=HOSTILE_STRUCTURES.keys())
def test_hostile_structure_is_refused_at_once_with_its_line_and_nothing_written(
    seeded_sample: Path, case: HostileStructure
):
    path = write_file(seeded_sample.parent, "hostile.yaml", case.text)
    before = database_state()
    started = time.monotonic()

    with time_limit(HANG_GUARD_SECONDS):
        report = import_content(paths=[path])

    assert time.monotonic() - started < HANG_GUARD_SECONDS
    assert_located(
        only_problem(report), path=path, line=case.line, question_id=None, words=case.words
    )
    assert database_state() == before


@pytest.mark.parametrize("case", HOSTILE_STRUCTURES.values(), ids=HOSTILE_STRUCTURES.keys())
def test_hostile_structure_gets_one_report_from_the_command_and_the_admin_upload(
    seeded_sample: Path, case: HostileStructure, author_client
):
    path = write_file(seeded_sample.parent, "hostile.yaml", case.text)
    before = database_state()

    with time_limit(HANG_GUARD_SECONDS):
        printed = command_problems(path)
        shown = admin_problems(author_client, path)

    assert printed == shown
    assert len(printed) == 1
    assert printed[0].startswith(f"{path}:{case.line}: ")
    assert all(word in printed[0] for word in case.words)
    assert database_state() == before


def test_nesting_as_deep_as_the_limit_is_read(syllabus, tmp_path: Path):
    # The file's own mapping is the first level.
    levels = parsing.MAX_NESTING_DEPTH - 1
    nested = "[" * levels + "]" * levels
    path = write_file(tmp_path, "deep.yaml", f"{HEADER}questions: []\nextra: {nested}\n")

    report = import_content(paths=[path])

    # Read as far as its content: refused for what it says, not for how deep it nests.
    assert [problem.message for problem in report.problems] == [
        "unknown key(s) in the file: extra.",
        "'questions' must be a non-empty list.",
    ]


# ---------------------------------------------------------------------------------------
# Values a column would refuse: too long, or not text
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadValue:
    """An edit to the sample that puts one value its column would refuse."""

    old: str
    new: str
    located_at: str  # the text on the reported line
    question_id: str | None
    words: tuple[str, ...]


BAD_VALUES = {
    "exam-title-of-300-characters": BadValue(
        old='title: "Content pipeline sample"',
        new=f'title: "{"T" * 300}"',
        located_at="title:",
        question_id=None,
        words=("'title' is 300 characters long; the limit is 200.",),
    ),
    "exam-version-of-40-characters": BadValue(
        old='version: "1.0"',
        new=f'version: "{"9" * 40}"',
        located_at="version:",
        question_id=None,
        words=("'version' is 40 characters long; the limit is 20.",),
    ),
    "question-id-of-70-characters": BadValue(
        old="id: pipeline-order",
        new=f"id: pipeline-order{'x' * 56}",
        located_at="id: pipeline-order",
        question_id=f"pipeline-order{'x' * 46}… (70 characters)",
        words=("'id' is 70 characters long; the limit is 50.",),
    ),
    "answer-id-of-70-characters": BadValue(
        old='      - text: "abab-c"\n',
        new=f'      - id: {"a" * 70}\n        text: "abab-c"\n',
        located_at="id: pipeline-single",
        question_id="pipeline-single",
        words=("answer a: 'id' is 70 characters long; the limit is 50.",),
    ),
    "raises-of-80-characters": BadValue(
        old="raises: TypeError",
        new=f"raises: {'E' * 80}",
        located_at="id: pipeline-single",
        question_id="pipeline-single",
        words=("answer d: 'raises' is 80 characters long; the limit is 60.",),
    ),
    "nul-in-a-stem": BadValue(
        old='text: "What does the following snippet print?"',
        new='text: "What does the\\0 following snippet print?"',
        located_at="id: pipeline-single",
        question_id="pipeline-single",
        words=("'text' contains the control character U+0000",),
    ),
    "nul-in-an-accepted-gap-answer": BadValue(
        old='- accepted: ["0", "-6"]',
        new='- accepted: ["0\\x00", "-6"]',
        located_at="id: pipeline-gap",
        question_id="pipeline-gap",
        words=("gap 1, accepted answer 1: 'text' contains the control character U+0000",),
    ),
    "nul-in-the-exam-description": BadValue(
        old='description: "Exactly',
        new='description: "\\0Exactly',
        located_at="description:",
        question_id=None,
        words=("'description' contains the control character U+0000",),
    ),
    "terminal-escape-in-an-explanation": BadValue(
        old='explanation: "Define the function, call it, then use its result."',
        new='explanation: "Define the function, \\e[2J call it, then use its result."',
        located_at="id: pipeline-order",
        question_id="pipeline-order",
        words=("'explanation' contains the control character U+001B",),
    ),
}


@pytest.mark.parametrize("case", BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_value_its_column_would_refuse_is_reported_by_field_and_nothing_is_written(
    seeded_sample: Path, case: BadValue
):
    text = edited(SAMPLE_TEXT, (case.old, case.new))
    write_file(seeded_sample.parent, seeded_sample.name, text)
    before = database_state()

    report = import_content(paths=[seeded_sample])

    assert_located(
        only_problem(report),
        path=seeded_sample,
        line=line_of(text, case.located_at),
        question_id=case.question_id,
        words=case.words,
    )
    assert database_state() == before


def test_every_refused_value_of_one_file_is_reported_in_one_pass(seeded_sample: Path):
    text = edited(SAMPLE_TEXT, *[(case.old, case.new) for case in BAD_VALUES.values()])
    write_file(seeded_sample.parent, seeded_sample.name, text)
    before = database_state()

    printed = command_problems(seeded_sample)

    assert len(printed) == len(BAD_VALUES)
    for case in BAD_VALUES.values():
        assert any(all(word in line for word in case.words) for line in printed), case
    assert database_state() == before


def test_refused_values_get_the_same_report_from_the_admin_upload(
    seeded_sample: Path, author_client
):
    text = edited(SAMPLE_TEXT, *[(case.old, case.new) for case in BAD_VALUES.values()])
    write_file(seeded_sample.parent, seeded_sample.name, text)
    before = database_state()

    assert admin_problems(author_client, seeded_sample) == command_problems(seeded_sample)
    assert database_state() == before


def test_limits_are_the_model_fields(seeded_sample: Path, monkeypatch):
    # One source of truth: a narrower column narrows what the importer accepts.
    monkeypatch.setattr(Answer._meta.get_field("raises"), "max_length", 8)
    text = edited(SAMPLE_TEXT, ("raises: TypeError", "raises: TypeError1"))
    write_file(seeded_sample.parent, seeded_sample.name, text)

    report = import_content(paths=[seeded_sample])

    assert "answer d: 'raises' is 10 characters long; the limit is 8." in str(only_problem(report))


def test_lone_surrogate_from_the_pure_python_parser_is_refused(seeded_sample: Path, monkeypatch):
    # libyaml refuses the escape itself; PyYAML's own parser, used when libyaml is missing,
    # passes it on, and no database can encode it.
    monkeypatch.setattr(parsing, "_BASE_LOADER", yaml.BaseLoader)
    text = edited(SAMPLE_TEXT, ('text: "abab c"', 'text: "abab\\ud800 c"'))
    write_file(seeded_sample.parent, seeded_sample.name, text)
    before = database_state()

    report = import_content(paths=[seeded_sample])

    assert "answer c: 'text' contains the control character U+D800" in str(only_problem(report))
    assert database_state() == before


def test_tabs_and_newlines_in_code_are_kept(syllabus, tmp_path: Path):
    text = edited(SAMPLE_TEXT, ('text: "abab c"', 'text: "abab\\tc\\n"'))
    path = write_file(tmp_path, "sample.yaml", text)

    assert import_content(paths=[path]).ok
    assert Answer.objects.filter(text="abab\tc\n").exists()


@pytest.mark.parametrize(
    "old",
    ["difficulty: 2\n    points: 20", "id: pipeline-single", "kind: single", "verify: expressions"],
)
def test_huge_value_is_quoted_cut_short_in_every_problem(seeded_sample: Path, old: str):
    # A report quotes what it refuses; a 200,000-character value must not fill the page.
    key, _, rest = old.partition(": ")
    huge = "x" * 200_000
    text = edited(SAMPLE_TEXT, (old, f"{key}: {huge}" + rest[len(rest.split()[0]) :]))
    write_file(seeded_sample.parent, seeded_sample.name, text)

    report = import_content(paths=[seeded_sample])

    assert report.problems
    for problem in report.problems:
        assert len(str(problem)) < len(str(seeded_sample)) + 300, str(problem)[:400]
        assert "(200000 characters)" in str(problem) or "200000 characters long" in str(problem)


# ---------------------------------------------------------------------------------------
# A named syllabus is the one the objectives are checked against
# ---------------------------------------------------------------------------------------


def test_syllabus_key_the_first_lines_do_not_show_is_still_the_one_checked(
    seeded_sample: Path,
):
    # A file indented as a whole is the same YAML; its objectives must not be checked
    # against one syllabus and written against another (a KeyError, then a 500).
    text = "".join(f" {line}" for line in f"syllabus: NOPE\n{SAMPLE_TEXT}".splitlines(True))
    write_file(seeded_sample.parent, seeded_sample.name, text)
    before = database_state()

    report = import_content(paths=[seeded_sample])

    assert "unknown syllabus 'NOPE'" in str(only_problem(report))
    assert database_state() == before
