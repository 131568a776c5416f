"""factory_boy factories for the exams app, plus `make_question` and `load_pcep_syllabus`.

Every factory builds a valid row with unique names; override any field by keyword. Import
from here in other apps' tests too, e.g. `from exams.tests.factories import make_question`.
"""

from __future__ import annotations

import datetime
import string
from pathlib import Path

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from exams.models import (
    Answer,
    Exam,
    ExamSession,
    Module,
    Question,
    Syllabus,
    Topic,
    UserResponse,
)
from exams.syllabus import DEFAULT_SYLLABUS_DIR, load_syllabus

PCEP_SYLLABUS_PATH: Path = DEFAULT_SYLLABUS_DIR / "pcep-30-02.yaml"


class SyllabusFactory(DjangoModelFactory):
    """A syllabus with a unique code (not the real PCEP one: use `load_pcep_syllabus`)."""

    class Meta:
        model = Syllabus

    code = factory.Sequence(lambda n: f"TEST-{n:02d}")
    name = factory.LazyAttribute(lambda syllabus: f"{syllabus.code} test syllabus")
    syllabus_date = datetime.date(2022, 2, 23)
    source_url = "https://example.com/syllabus"


class ModuleFactory(DjangoModelFactory):
    """A syllabus block with a unique name; not attached to a syllabus unless given one."""

    class Meta:
        model = Module

    name = factory.Sequence(lambda n: f"Module {n}")
    number = factory.Sequence(lambda n: n + 1)
    display_order = factory.Sequence(lambda n: n)
    weight_percent = 25
    exam_items = 7


class TopicFactory(DjangoModelFactory):
    """An objective in a new block (pass `module=` to put it in an existing one)."""

    class Meta:
        model = Topic

    module = factory.SubFactory(ModuleFactory)
    name = factory.Sequence(lambda n: f"Objective {n}")
    code = factory.Sequence(lambda n: f"9.{n}")
    display_order = factory.Sequence(lambda n: n)


class ExamFactory(DjangoModelFactory):
    """An active fixed question set (pass `kind=Exam.Kind.MOCK` or `BANK` for the others)."""

    class Meta:
        model = Exam

    title = factory.Sequence(lambda n: f"Practice set {n}")
    kind = Exam.Kind.FIXED
    time_limit = 2400
    is_active = True


class QuestionFactory(DjangoModelFactory):
    """An active single-choice question with NO answers, in a new exam and a new topic.

    Use `make_question` for a question with answers valid for its kind.
    """

    class Meta:
        model = Question

    exam = factory.SubFactory(ExamFactory)
    topic = factory.SubFactory(TopicFactory)
    original_id = factory.Sequence(lambda n: f"q-test-{n:04d}")
    text = factory.Sequence(lambda n: f"Question {n}: what does this snippet print?")
    kind = Question.Kind.SINGLE
    difficulty = 1
    points = 20
    question_order = factory.Sequence(lambda n: n)
    explanation = "Because that is how Python evaluates it."
    is_active = True


class AnswerFactory(DjangoModelFactory):
    """A wrong option of a new question (pass `is_correct=True` for a key)."""

    class Meta:
        model = Answer

    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"Option {n}")
    is_correct = False
    explanation = "Explains why this option is right or wrong."
    answer_order = factory.Sequence(lambda n: n)


class ExamSessionFactory(DjangoModelFactory):
    """An attempt in progress, started now, whose deadline is start + the exam's time limit.

    Practice sessions (`mode=ExamSession.Mode.PRACTICE`) get no deadline.
    """

    class Meta:
        model = ExamSession

    user = factory.SubFactory(UserFactory)
    exam = factory.SubFactory(ExamFactory)
    mode = ExamSession.Mode.EXAM
    start_time = factory.LazyFunction(timezone.now)
    is_completed = False
    deadline = factory.LazyAttribute(
        lambda session: (
            session.start_time + datetime.timedelta(seconds=session.exam.time_limit)
            if session.mode == ExamSession.Mode.EXAM and session.exam is not None
            else None
        )
    )


class UserResponseFactory(DjangoModelFactory):
    """A wrong response, with no answer chosen, to a new question of a new session's exam."""

    class Meta:
        model = UserResponse

    session = factory.SubFactory(ExamSessionFactory)
    question = factory.SubFactory(QuestionFactory, exam=factory.SelfAttribute("..session.exam"))
    answer = None
    is_correct = False
    position = factory.Sequence(lambda n: n + 1)


# Item points per PCEP block that let a mock exam's draw reach the real block maxima
# (180 / 290 / 250 / 280 for 7 / 8 / 7 / 8 items): the n-th test item of a block is worth
# QUOTA_POINTS[block][n % len]. Repeating the pattern keeps every bank size satisfiable.
QUOTA_POINTS = {
    1: [20, 20, 20, 20, 20, 40, 40],
    2: [20, 30, 40, 40, 40, 40, 40, 40],
    3: [20, 30, 40, 40, 40, 40, 40],
    4: [20, 20, 40, 40, 40, 40, 40, 40],
}


def quota_points(block: int, index: int) -> int:
    pattern = QUOTA_POINTS[block]
    return pattern[index % len(pattern)]


def make_question(
    *,
    kind: str = "single",
    topic: Topic | None = None,
    exam: Exam | None = None,
    correct: int = 1,
    options: int = 4,
    **fields,
) -> Question:
    """Create a question of `kind` whose answers are valid for that kind.

    - "single": `options` options, exactly one correct (`correct` must be 1).
    - "multiple": `options` options, `correct` of them correct, and `choose == correct`.
    - "order": `options` items, all `is_correct`, whose right order is `answer_order` 1..n.
    - "gap": two gaps in `code_snippet` ("{{1}}", "{{2}}"); one accepted answer each, with
      `gap_number` 1 and 2 (`correct` and `options` are ignored).
    - "tiles": the format's example: gaps 1 and 2 take the tiles "range" and "*"; the spare
      tiles "list" and "**"; pool order range, *, list, ** (`correct`/`options` ignored).
    - "insert": the format's example: options "total += n" (correct), "total = n",
      "total -= n" (`correct`/`options` ignored).
    - "lines": the format's example (`line_rule` "raises", `choose` 2): lines "2" and "4"
      correct, "3" wrong (`correct`/`options` ignored).

    For choice questions the correct options come first by `answer_order` (1..correct); the
    others are wrong. Answers are numbered from 1. Omitted `topic`/`exam` are created by
    `QuestionFactory`; any other keyword (`text=`, `points=`, …) is a Question field.
    """
    if topic is not None:
        fields["topic"] = topic
    if exam is not None:
        fields["exam"] = exam
    if kind == Question.Kind.SINGLE:
        if correct != 1:
            raise ValueError("a single-choice question has exactly one correct answer.")
        return _make_choice_question(kind, correct=1, options=options, fields=fields)
    if kind == Question.Kind.MULTIPLE:
        if not 1 <= correct < options:
            raise ValueError("a multiple-choice question needs 1 <= correct < options.")
        fields.setdefault("choose", correct)
        return _make_choice_question(kind, correct=correct, options=options, fields=fields)
    if kind == Question.Kind.ORDER:
        return _make_order_question(options=options, fields=fields)
    if kind == Question.Kind.GAP:
        return _make_gap_question(fields=fields)
    if kind == Question.Kind.TILES:
        return _make_tiles_question(fields=fields)
    if kind == Question.Kind.INSERT:
        return _make_insert_question(fields=fields)
    if kind == Question.Kind.LINES:
        return _make_lines_question(fields=fields)
    raise ValueError(f"unknown question kind {kind!r}.")


def _make_choice_question(kind: str, *, correct: int, options: int, fields: dict) -> Question:
    question = QuestionFactory(kind=kind, **fields)
    for order in range(1, options + 1):
        AnswerFactory(
            question=question,
            original_id=string.ascii_lowercase[order - 1],
            text=f"Option {string.ascii_uppercase[order - 1]}",
            is_correct=order <= correct,
            answer_order=order,
        )
    return question


def _make_order_question(*, options: int, fields: dict) -> Question:
    fields.setdefault("text", "Put the lines in the order that prints the numbers 1 to n.")
    fields.setdefault("expected_output", "\n".join(str(n) for n in range(1, options + 1)))
    question = QuestionFactory(kind=Question.Kind.ORDER, **fields)
    for order in range(1, options + 1):
        AnswerFactory(
            question=question,
            original_id=string.ascii_lowercase[order - 1],
            text=f"print({order})",
            is_correct=True,
            answer_order=order,
        )
    return question


def _make_gap_question(*, fields: dict) -> Question:
    fields.setdefault("text", "Fill the gaps so that the program prints 6.")
    fields.setdefault("code_snippet", "x = {{1}}\nprint(x {{2}} 1)\n")
    fields.setdefault("expected_output", "6")
    question = QuestionFactory(kind=Question.Kind.GAP, **fields)
    for gap_number, accepted in ((1, "5"), (2, "+")):
        AnswerFactory(
            question=question,
            original_id=f"gap{gap_number}-1",
            text=accepted,
            is_correct=True,
            gap_number=gap_number,
            answer_order=gap_number,
        )
    return question


def _make_tiles_question(*, fields: dict) -> Question:
    fields.setdefault("text", "Drag tiles into the gaps so that the program prints `0 2 4 `.")
    fields.setdefault("code_snippet", 'for i in {{1}}(3):\n    print(i {{2}} 2, end=" ")\n')
    fields.setdefault("expected_output", "0 2 4 ")
    question = QuestionFactory(kind=Question.Kind.TILES, **fields)
    tiles = (("range", 1), ("*", 2), ("list", None), ("**", None))
    for order, (text, gap_number) in enumerate(tiles, start=1):
        AnswerFactory(
            question=question,
            original_id=f"t{order}",
            text=text,
            is_correct=gap_number is not None,
            gap_number=gap_number,
            answer_order=order,
            explanation=f"Tile {text} explained.",
        )
    return question


def _make_insert_question(*, fields: dict) -> Question:
    fields.setdefault("text", "Which line, put in place of `# insert here`, prints `6`?")
    fields.setdefault(
        "code_snippet", "total = 0\nfor n in range(4):\n    # insert here\nprint(total)\n"
    )
    fields.setdefault("expected_output", "6")
    question = QuestionFactory(kind=Question.Kind.INSERT, **fields)
    for order, (text, correct) in enumerate(
        (("total += n", True), ("total = n", False), ("total -= n", False)), start=1
    ):
        AnswerFactory(
            question=question,
            original_id=string.ascii_lowercase[order - 1],
            text=text,
            is_correct=correct,
            answer_order=order,
        )
    return question


def _make_lines_question(*, fields: dict) -> Question:
    fields.setdefault("text", "Which two lines raise an exception? Choose two.")
    fields.setdefault(
        "code_snippet",
        'items = [1, 2, 3]\nprint(items[3])\nprint(items[-3])\nprint(int("3.0"))\n',
    )
    fields.setdefault("choose", 2)
    fields.setdefault("line_rule", Question.LineRule.RAISES)
    question = QuestionFactory(kind=Question.Kind.LINES, **fields)
    for order, (line, correct) in enumerate((("2", True), ("3", False), ("4", True)), start=1):
        AnswerFactory(
            question=question,
            original_id=f"line{line}",
            text=line,
            is_correct=correct,
            answer_order=order,
            explanation=f"Line {line} explained.",
        )
    return question


def load_pcep_syllabus() -> Syllabus:
    """Load the real PCEP-30-02 syllabus file (4 blocks, 15 objectives, the mock exam).

    Needs database access (call it inside a `django_db` test or fixture); idempotent.
    """
    result = load_syllabus(path=PCEP_SYLLABUS_PATH)
    return Syllabus.objects.get(code=result.code)
