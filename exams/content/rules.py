"""The structural rules of a question, shared by the file importer and the admin forms."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import models

GAP_PATTERN = re.compile(r"\{\{(\d+)\}\}")
# Code insertion: the one line of the code that an option replaces.
INSERT_MARKER = "# insert here"
INSERT_LINE_PATTERN = re.compile(r"^([ \t]*)# insert here[ \t]*$", re.MULTILINE)
MIN_SPARE_TILES = 2


SEQUENCE_VERIFY_MODES = ("output", "none")
ANSWERED_OPTION_KEPT = (
    "learners have answered this question, so its options keep their identity: an option "
    "cannot be removed or rewritten into another one (mark a wrong key wrong instead); "
    "add new options as new rows."
)


# Characters that are no part of any text: C0 and C1 controls other than tab and newline
# (which code needs), DEL, and lone surrogates (which no database can encode). PostgreSQL
# refuses NUL in text outright, and SQLite would keep what PostgreSQL refuses.
FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class AnswerSpec:
    text: str
    is_correct: bool
    gap_number: int | None = None


@dataclass(frozen=True)
class RuleProblem:
    field: str  # "choose", "code_snippet" or "answers": where a form shows the message
    message: str


def question_structure_problems(
    *, kind: str, choose: int | None, code: str, answers: Sequence[AnswerSpec]
) -> list[RuleProblem]:
    """What makes this question unusable for its kind, in words an author understands."""
    problems: list[RuleProblem] = []
    if kind == "gap":
        return _gap_problems(code=code, answers=answers)
    if kind == "tiles":
        return _tile_problems(code=code, answers=answers)
    if kind == "insert":
        markers = len(INSERT_LINE_PATTERN.findall(code or ""))
        if markers != 1:
            problems.append(
                RuleProblem(
                    "code_snippet",
                    f"a code-insertion question's code needs exactly one line '{INSERT_MARKER}' "
                    f"(found {markers}).",
                )
            )
    if kind == "lines":
        numbers = [answer.text for answer in answers]
        if len(set(numbers)) != len(numbers):
            problems.append(RuleProblem("answers", "each line may be offered only once."))
    if len(answers) < 2:
        problems.append(RuleProblem("answers", "a question needs at least two answers."))
    correct = sum(answer.is_correct for answer in answers)
    if kind in ("single", "insert"):
        if correct == 0:
            problems.append(
                RuleProblem(
                    "answers",
                    "no correct answer: mark exactly one answer correct ('correct: true').",
                )
            )
        elif correct > 1:
            problems.append(
                RuleProblem(
                    "answers",
                    f"single-choice question with {correct} correct answers; exactly one may "
                    "be correct (use kind: multiple for more).",
                )
            )
    elif kind in ("multiple", "lines"):
        if not choose:
            problems.append(RuleProblem("choose", "say how many answers the learner chooses."))
        elif correct == 0:
            problems.append(
                RuleProblem(
                    "answers", "no correct answer: mark the keys correct ('correct: true')."
                )
            )
        elif correct != choose:
            problems.append(
                RuleProblem(
                    "choose",
                    f"the stem asks to choose {choose} but {correct} answers are correct.",
                )
            )
        elif choose >= len(answers):
            problems.append(
                RuleProblem("choose", "choose must be smaller than the number of answers.")
            )
    elif kind == "order" and answers and not all(answer.is_correct for answer in answers):
        problems.append(
            RuleProblem("answers", "every item of an ordering question is part of its key.")
        )
    return problems


def _tile_problems(*, code: str, answers: Sequence[AnswerSpec]) -> list[RuleProblem]:
    """Every gap has exactly one tile; spare tiles make the pool bigger than the gaps."""
    problems = [
        problem
        for problem in _gap_problems(code=code, answers=[a for a in answers if a.gap_number])
        if "must say which gap" not in problem.message
    ]
    per_gap: dict[int, int] = {}
    for answer in answers:
        if answer.gap_number:
            per_gap[answer.gap_number] = per_gap.get(answer.gap_number, 0) + 1
    crowded = sorted(number for number, count in per_gap.items() if count > 1)
    if crowded:
        problems.append(
            RuleProblem("answers", f"gap(s) {crowded} have more than one tile; each has one.")
        )
    spare = sum(1 for answer in answers if not answer.gap_number)
    if spare < MIN_SPARE_TILES:
        problems.append(
            RuleProblem(
                "answers",
                f"the pool has {spare} spare tile(s); at least {MIN_SPARE_TILES} tiles that fill "
                "no gap make the learner choose.",
            )
        )
    texts = [answer.text.strip() for answer in answers]
    if len(set(texts)) != len(texts):
        problems.append(RuleProblem("answers", "two tiles have the same text."))
    return problems


def _gap_problems(*, code: str, answers: Sequence[AnswerSpec]) -> list[RuleProblem]:
    markers = sorted({int(number) for number in GAP_PATTERN.findall(code or "")})
    gaps = sorted({answer.gap_number for answer in answers if answer.gap_number})
    problems = []
    if not markers:
        problems.append(
            RuleProblem("code_snippet", "a gap question's code needs gap markers {{1}}, {{2}}, ….")
        )
    elif markers != list(range(1, len(markers) + 1)):
        problems.append(
            RuleProblem("code_snippet", f"number the gaps {{{{1}}}} upwards; found {markers}.")
        )
    missing = [number for number in markers if number not in gaps]
    for number in missing:
        problems.append(RuleProblem("answers", f"gap {number} has no accepted answers."))
    extra = [number for number in gaps if number not in markers]
    if extra:
        problems.append(
            RuleProblem("answers", f"accepted answers name gap(s) {extra} the code does not have.")
        )
    if any(answer.gap_number is None for answer in answers):
        problems.append(
            RuleProblem("answers", "every accepted answer must say which gap it fills.")
        )
    return problems


def verification_problems(*, kind: str, verify_mode: str, verify_reason: str) -> list[RuleProblem]:
    problems = []
    if verify_mode == "none" and not (verify_reason or "").strip():
        problems.append(
            RuleProblem("verify_reason", "'verify: none' needs a 'verify_reason' saying why.")
        )
    if kind in ("order", "gap", "tiles", "insert", "lines") and (
        verify_mode not in SEQUENCE_VERIFY_MODES
    ):
        problems.append(
            RuleProblem("verify_mode", f"{kind} questions are verified by 'output' or 'none'.")
        )
    return problems


def split_gaps(code: str, *, values: list[str] | tuple[str, ...] = ()) -> list[dict]:
    """The code as text parts and numbered gaps (with any saved text), as learners see it."""
    parts, last = [], 0
    for match in GAP_PATTERN.finditer(code):
        number = int(match.group(1))
        parts.append({"text": code[last : match.start()]})
        parts.append({"gap": number, "value": values[number - 1] if number <= len(values) else ""})
        last = match.end()
    parts.append({"text": code[last:]})
    return parts


def column_problems(
    *, model: type[models.Model], values: Mapping[str, object]
) -> list[RuleProblem]:
    """What the database would refuse of these column values, checked the same way on every
    database: text longer than its column allows (the model field's max_length, the one
    source of the limit), and characters that are not text."""
    problems = []
    for name, value in values.items():
        if not isinstance(value, str):
            continue
        limit = model._meta.get_field(name).max_length
        if limit is not None and len(value) > limit:
            problems.append(
                RuleProblem(name, f"is {len(value)} characters long; the limit is {limit}.")
            )
        forbidden = FORBIDDEN_CHARACTERS.search(value)
        if forbidden:
            problems.append(
                RuleProblem(
                    name,
                    f"contains the control character U+{ord(forbidden.group()):04X}; "
                    "only tabs and newlines may appear in text.",
                )
            )
    return problems
