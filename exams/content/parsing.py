"""Reading and validating question files (docs/content-format.md) without touching the database."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from exams.content.rules import AnswerSpec, question_structure_problems, verification_problems
from exams.rendering import render_markdown

FORMAT_VERSION = "1"
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_QUESTIONS_PER_FILE = 5000
# Its length is the column's (exams.content.importing checks every written value's length).
ID_PATTERN = re.compile(r"[A-Za-z0-9._-]+")
# File names become exams.source_file and export targets: no paths, nothing surprising.
FILE_NAME_PATTERN = re.compile(r"[A-Za-z0-9._-]+\.ya?ml")
FILE_NAME_RULE = "file names may use letters, digits, '.', '-' and '_' and end in .yaml."
# libyaml's C parser when the wheel has it (it does on PyPI's builds): the same safe
# BaseLoader semantics, several times faster on large banks.
_BASE_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
# A question file nests six deep (file, questions, question, gaps, gap, accepted); deeper
# nesting is refused before composing, whose recursion it would otherwise exhaust.
MAX_NESTING_DEPTH = 20
_COLLECTION_STARTS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_COLLECTION_ENDS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
KINDS = ("single", "multiple", "order", "gap", "tiles", "insert", "lines")
LINE_RULES = ("raises", "unexecuted")
CODE_KINDS = ("gap", "tiles", "insert", "lines")  # kinds that cannot exist without code
VERIFY_MODES = ("output", "expressions", "runs", "prints", "none")
CHOICE_MODES = ("output", "expressions", "runs", "prints", "none")
SEQUENCE_MODES = ("output", "none")
POINTS = (20, 30, 40)
TRUE_WORDS = {"true", "yes", "on"}
FALSE_WORDS = {"false", "no", "off"}
QUESTION_KEYS = {
    "id", "objective", "kind", "difficulty", "points", "text", "code", "stdin", "choose",
    "answers", "gaps", "output", "verify", "verify_reason", "explanation", "tiles", "select",
    "reviewed_by", "reviewed_on",
}  # fmt: skip
ANSWER_KEYS = {"id", "text", "correct", "raises", "explanation"}
LINE_ANSWER_KEYS = {"id", "line", "correct", "explanation"}
TILE_KEYS = {"id", "text", "gap", "explanation"}
GAP_KEYS = {"accepted", "explanation"}
MAX_QUOTED_CHARACTERS = 60


@dataclass
class ContentProblem:
    """One thing wrong with a file, located for its author."""

    path: str
    line: int | None
    question_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        who = f" question {self.question_id}:" if self.question_id else ""
        return f"{where}:{who} {self.message}"


@dataclass
class ParsedAnswer:
    original_id: str
    text: str
    is_correct: bool
    explanation: str
    raises: str = ""
    gap_number: int | None = None
    label: str = ""  # how problems name it: "answer b", "gap 1, accepted answer 2"


@dataclass
class ParsedQuestion:
    original_id: str
    objective: str
    kind: str
    difficulty: int
    points: int
    text: str
    code: str
    stdin: str
    choose: int | None
    expected_output: str
    verify_mode: str
    verify_reason: str
    explanation: str
    answers: list[ParsedAnswer]
    line: int | None = None
    line_rule: str = ""
    reviewed_by: str = ""
    reviewed_on: date | None = None
    # Rendered while parsing, so that big imports render in their parallel parse workers.
    html_content: str = ""
    explanation_html: str = ""


@dataclass
class ParsedFile:
    path: str
    source_file: str
    title: str
    description: str
    version: str
    exam_kind: str
    time_limit_minutes: int | None
    syllabus_code: str | None
    questions: list[ParsedQuestion] = field(default_factory=list)
    # The line of each key of 'exam', for problems with a value found there.
    exam_lines: dict[str, int] = field(default_factory=dict)


class RefusedStructure(Exception):
    """YAML that is well formed but refused before any of it is built (anchors, deep nesting)."""

    def __init__(self, message: str, *, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class _Lines:
    """Where the parts of a file start, read off its YAML nodes."""

    questions: list[int] = field(default_factory=list)
    exam: dict[str, int] = field(default_factory=dict)


def _shortened(value: object, *, quoted: bool = True) -> str:
    """A value shown in a problem, cut short: a report stays readable whatever a file holds.
    Text is quoted unless `quoted` is false; anything else is shown as its repr."""
    if not isinstance(value, str):
        value, quoted = repr(value), False
    shown = value[:MAX_QUOTED_CHARACTERS]
    shown = repr(shown) if quoted else shown
    if len(value) > MAX_QUOTED_CHARACTERS:
        shown += f"… ({len(value)} characters)"
    return shown


def shown_question_id(question_id: str | None) -> str | None:
    """How problems name a question: by its id, cut short if the file made it huge (an id is
    quoted in every problem of its question, before its own length is refused)."""
    return _shortened(question_id, quoted=False) if question_id else None


class _Reader:
    """Collects problems for one file while reading plain YAML strings into typed values."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[ContentProblem] = []

    def problem(self, message: str, *, line: int | None = None, question_id: str | None = None):
        self.problems.append(
            ContentProblem(self.path, line, shown_question_id(question_id), message)
        )

    def text(self, mapping: dict, key: str, *, required: bool, where: dict) -> str:
        value = mapping.get(key)
        if value is None:
            if required:
                self.problem(f"'{key}' is missing.", **where)
            return ""
        if not isinstance(value, str):
            self.problem(f"'{key}' must be text, not a list or mapping.", **where)
            return ""
        if required and not value.strip():
            self.problem(f"'{key}' is empty.", **where)
        return value

    def integer(self, mapping: dict, key: str, *, allowed: range | tuple, where: dict) -> int:
        raw = mapping.get(key)
        if raw is None:
            self.problem(f"'{key}' is missing.", **where)
            return allowed[0]
        try:
            value = int(str(raw))
        except ValueError:
            self.problem(f"'{key}' must be a whole number, not {_shortened(raw)}.", **where)
            return allowed[0]
        if value not in allowed:
            choices = ", ".join(str(item) for item in allowed)
            self.problem(f"'{key}' is {value}; it must be one of {choices}.", **where)
        return value

    def boolean(self, mapping: dict, key: str, *, where: dict) -> bool:
        raw = mapping.get(key)
        if raw is None:
            return False
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word not in FALSE_WORDS:
            self.problem(f"'{key}' must be true or false, not {_shortened(raw)}.", **where)
        return False

    def unknown_keys(self, mapping: dict, allowed: set[str], *, what: str, where: dict) -> None:
        unknown = sorted(set(mapping) - allowed)
        if unknown:
            self.problem(
                f"unknown key(s) in {what}: {_shortened(', '.join(unknown), quoted=False)}.",
                **where,
            )


def _refuse_hostile_structure(text: str) -> None:
    """Refuse anchors, aliases and deep nesting on the parser's events, before any node is
    composed: nine aliases of nine aliases expand a few hundred bytes into billions of
    values, and a few hundred nested brackets exhaust the composer's recursion."""
    depth = 0
    for event in yaml.parse(text, Loader=_BASE_LOADER):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise RefusedStructure(
                "anchors and aliases (&name, *name) are not allowed in question files; "
                "write each value out in full.",
                line=event.start_mark.line + 1,
            )
        if isinstance(event, _COLLECTION_STARTS):
            depth += 1
            if depth > MAX_NESTING_DEPTH:
                raise RefusedStructure(
                    f"lists and mappings are nested more than {MAX_NESTING_DEPTH} levels deep; "
                    "a question file needs six.",
                    line=event.start_mark.line + 1,
                )
        elif isinstance(event, _COLLECTION_ENDS):
            depth -= 1


def _load_yaml(text: str, reader: _Reader) -> tuple[Any, _Lines]:
    """Load with the BaseLoader (every scalar a string: no implicit booleans or floats, no
    object construction) and return the data with the lines of its questions and exam keys."""
    _refuse_hostile_structure(text)
    loader = _BASE_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, _Lines()
        _reject_duplicate_keys(node, reader)
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    lines = _Lines()
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == "questions" and isinstance(value_node, yaml.SequenceNode):
                lines.questions = [item.start_mark.line + 1 for item in value_node.value]
            if key_node.value == "exam" and isinstance(value_node, yaml.MappingNode):
                lines.exam = {
                    key.value: key.start_mark.line + 1
                    for key, _ in value_node.value
                    if isinstance(key.value, str)
                }
    return data, lines


def _reject_duplicate_keys(node: yaml.Node, reader: _Reader) -> None:
    # PyYAML silently keeps the last of two equal keys, which would hide an author's mistake.
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if isinstance(key, str) and key in seen:
                reader.problem(
                    f"the key {_shortened(key)} appears twice.",
                    line=key_node.start_mark.line + 1,
                )
            seen.add(key)
            _reject_duplicate_keys(value_node, reader)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _reject_duplicate_keys(item, reader)


def read_content_file(
    path: Path, *, objectives: Mapping[str | None, set[str]]
) -> tuple[ParsedFile | None, list[ContentProblem]]:
    """Parse and validate one file; returns (file, problems). Never writes anything.

    `objectives` holds the objective codes of each loaded syllabus by its code, and those of
    the current syllabus under None, for files that name no syllabus. The file comes back
    with its problems whenever its YAML could be read, so that later checks see all of it.
    """
    reader = _Reader(str(path))
    if not FILE_NAME_PATTERN.fullmatch(path.name):
        reader.problem(FILE_NAME_RULE)
        return None, reader.problems
    try:
        size = path.stat().st_size
    except OSError as error:
        reader.problem(f"cannot read the file: {error.strerror}.")
        return None, reader.problems
    if size > MAX_FILE_BYTES:
        reader.problem(f"the file is {size} bytes; the limit is {MAX_FILE_BYTES} bytes.")
        return None, reader.problems
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        reader.problem("the file is not UTF-8 text.")
        return None, reader.problems
    try:
        data, lines = _load_yaml(text, reader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        detail = getattr(error, "problem", None) or str(error)
        reader.problem(f"malformed YAML: {detail}.", line=line)
        return None, reader.problems
    except RefusedStructure as refused:
        reader.problem(refused.message, line=refused.line)
        return None, reader.problems
    except RecursionError:
        # The nesting bound should make this unreachable; a traceback must stay so too.
        reader.problem("the file is nested too deeply to read.")
        return None, reader.problems
    if not isinstance(data, dict):
        reader.problem("the file must be a mapping with 'format', 'exam' and 'questions'.")
        return None, reader.problems
    return _read_file_body(data, lines, reader, path, objectives), reader.problems


def read_translated_document(
    document: dict,
    *,
    path: str,
    source_file: str,
    question_lines: list[int],
    objectives: Mapping[str | None, set[str]],
) -> tuple[ParsedFile | None, list[ContentProblem]]:
    """Validate a document translated from another format (exams.interop) exactly as a file's
    YAML is: problems name `path` and each question's line in that file."""
    reader = _Reader(path)
    parsed = _read_file_body(
        document,
        _Lines(questions=question_lines),
        reader,
        Path(path),
        objectives,
        source_file=source_file,
    )
    return parsed, reader.problems


def _read_file_body(
    data, lines: _Lines, reader, path, objectives, *, source_file: str | None = None
) -> ParsedFile | None:
    if str(data.get("format", "")) != FORMAT_VERSION:
        reader.problem(f"'format' must be {FORMAT_VERSION}.")
    reader.unknown_keys(
        data, {"format", "syllabus", "exam", "questions"}, what="the file", where={}
    )
    syllabus_code = reader.text(data, "syllabus", required=False, where={}).strip() or None
    known_objectives = objectives.get(syllabus_code)
    if known_objectives is None:
        reader.problem(f"unknown syllabus {_shortened(syllabus_code)}: load it first.")
        return None
    exam = data.get("exam")
    if not isinstance(exam, dict):
        reader.problem("'exam' (title, description, version) is missing.")
        exam = {}
    reader.unknown_keys(
        exam, {"title", "description", "version", "kind", "minutes"}, what="'exam'", where={}
    )
    exam_kind = str(exam.get("kind", "bank"))
    if exam_kind not in ("bank", "fixed"):
        reader.problem(f"exam 'kind' must be bank or fixed, not {_shortened(exam_kind)}.")
    minutes = None
    if "minutes" in exam:
        minutes = reader.integer(exam, "minutes", allowed=range(1, 601), where={})
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        reader.problem("'questions' must be a non-empty list.")
        questions = []
    if len(questions) > MAX_QUESTIONS_PER_FILE:
        reader.problem(
            f"the file has {len(questions)} questions; the limit is {MAX_QUESTIONS_PER_FILE}. "
            "Split it into several files."
        )
        return None
    parsed = ParsedFile(
        path=str(path),
        source_file=source_file or path.name,
        title=reader.text(exam, "title", required=True, where={}),
        description=reader.text(exam, "description", required=False, where={}),
        version=reader.text(exam, "version", required=False, where={}) or "1.0",
        exam_kind=exam_kind,
        time_limit_minutes=minutes,
        syllabus_code=syllabus_code,
        exam_lines=lines.exam,
    )
    for index, raw in enumerate(questions):
        line = lines.questions[index] if index < len(lines.questions) else None
        question = _read_question(raw, line, reader, known_objectives)
        if question is not None:
            parsed.questions.append(question)
    return parsed


def _read_question(raw, line, reader: _Reader, known_objectives) -> ParsedQuestion | None:
    if not isinstance(raw, dict):
        reader.problem("each question must be a mapping.", line=line)
        return None
    question_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    where = {"line": line, "question_id": question_id}
    if question_id is None:
        reader.problem("'id' is missing.", **where)
    elif not ID_PATTERN.fullmatch(question_id):
        reader.problem("the id may use letters, digits, '.', '-' and '_'.", **where)
    reader.unknown_keys(raw, QUESTION_KEYS, what="the question", where=where)
    objective = reader.text(raw, "objective", required=True, where=where).strip()
    if objective and objective not in known_objectives:
        reader.problem(f'unknown objective "{_shortened(objective, quoted=False)}".', **where)
    kind = reader.text(raw, "kind", required=True, where=where)
    if kind and kind not in KINDS:
        reader.problem(f"kind {_shortened(kind)} is not one of {', '.join(KINDS)}.", **where)
    verify_mode = reader.text(raw, "verify", required=True, where=where)
    if verify_mode and verify_mode not in VERIFY_MODES:
        reader.problem(
            f"verify {_shortened(verify_mode)} is not one of {', '.join(VERIFY_MODES)}.",
            **where,
        )
    verify_reason = reader.text(raw, "verify_reason", required=False, where=where)
    if verify_mode in VERIFY_MODES:
        for problem in verification_problems(
            kind=kind, verify_mode=verify_mode, verify_reason=verify_reason
        ):
            reader.problem(problem.message, **where)
    question = ParsedQuestion(
        original_id=question_id or "",
        objective=objective,
        kind=kind,
        difficulty=reader.integer(raw, "difficulty", allowed=range(1, 6), where=where),
        points=reader.integer(raw, "points", allowed=POINTS, where=where),
        text=reader.text(raw, "text", required=True, where=where),
        code=reader.text(raw, "code", required=kind in CODE_KINDS, where=where),
        stdin=reader.text(raw, "stdin", required=False, where=where),
        choose=None,
        expected_output=reader.text(
            raw,
            "output",
            required=verify_mode == "prints"
            or (kind in ("order", "gap", "tiles", "insert") and verify_mode == "output"),
            where=where,
        ),
        verify_mode=verify_mode,
        verify_reason=verify_reason,
        explanation=reader.text(raw, "explanation", required=True, where=where),
        answers=[],
        line=line,
    )
    question.html_content = render_markdown(question.text)
    question.explanation_html = render_markdown(question.explanation)
    _read_review(raw, question, reader, where)
    if kind == "lines":
        question.line_rule = reader.text(raw, "select", required=True, where=where).strip()
        if question.line_rule and question.line_rule not in LINE_RULES:
            reader.problem(
                f"select {_shortened(question.line_rule)} is not one of {', '.join(LINE_RULES)}.",
                **where,
            )
    elif "select" in raw:
        reader.problem("'select' belongs to select-the-lines questions only.", **where)
    if "tiles" in raw and kind != "tiles":
        reader.problem("'tiles' belongs to tile-pool questions only.", **where)
    if kind == "gap":
        question.answers = _read_gaps(raw, question, reader, where)
    elif kind == "tiles":
        question.answers = _read_tiles(raw, question, reader, where)
    elif kind in KINDS:
        question.answers = _read_answers(raw, question, reader, where)
    return question


def _read_review(raw, question: ParsedQuestion, reader: _Reader, where) -> None:
    """A reviewer's sign-off of a key no code can check: who, and on which date."""
    question.reviewed_by = reader.text(raw, "reviewed_by", required=False, where=where).strip()
    reviewed_on = reader.text(raw, "reviewed_on", required=False, where=where).strip()
    if reviewed_on:
        try:
            question.reviewed_on = date.fromisoformat(reviewed_on)
        except ValueError:
            reader.problem(
                f"'reviewed_on' must be a date such as 2026-12-02, not {_shortened(reviewed_on)}.",
                **where,
            )
    if bool(question.reviewed_by) != bool(reviewed_on):
        reader.problem("a sign-off needs both 'reviewed_by' and 'reviewed_on'.", **where)


def _read_tiles(raw, question: ParsedQuestion, reader: _Reader, where) -> list[ParsedAnswer]:
    """The pool: tiles with a `gap:` fill that gap; the others are spare."""
    tiles = raw.get("tiles")
    if "answers" in raw or "gaps" in raw:
        reader.problem("a tile-pool question has 'tiles', not 'answers' or 'gaps'.", **where)
    if not isinstance(tiles, list) or not tiles:
        reader.problem("a tile-pool question needs a 'tiles' list.", **where)
        return []
    answers = []
    for position, tile in enumerate(tiles, start=1):
        if not isinstance(tile, dict):
            reader.problem(f"tile {position} must be a mapping with text and explanation.", **where)
            continue
        reader.unknown_keys(tile, TILE_KEYS, what=f"tile {position}", where=where)
        gap = None
        if tile.get("gap") is not None:
            gap = reader.integer(tile, "gap", allowed=range(1, 100), where=where)
        answer = ParsedAnswer(
            original_id=reader.text(tile, "id", required=False, where=where) or f"t{position}",
            text=reader.text(tile, "text", required=True, where=where),
            is_correct=gap is not None,
            explanation=reader.text(tile, "explanation", required=True, where=where),
            gap_number=gap,
            label=f"tile {position}",
        )
        if not answer.explanation.strip():
            reader.problem(f"tile {position} needs an 'explanation'.", **where)
        answers.append(answer)
    _check_answer_ids(answers, reader, where)
    _apply_rules(question, answers, reader, where)
    return answers


def _read_line_answer(item: dict, label: str, question, reader: _Reader, where) -> ParsedAnswer:
    reader.unknown_keys(item, LINE_ANSWER_KEYS, what=f"answer {label}", where=where)
    lines = max(len((question.code or "").splitlines()), 1)
    number = reader.integer(item, "line", allowed=range(1, lines + 1), where=where)
    return ParsedAnswer(
        original_id=reader.text(item, "id", required=False, where=where) or label,
        text=str(number),
        is_correct=reader.boolean(item, "correct", where=where),
        explanation=reader.text(item, "explanation", required=True, where=where),
        label=f"answer {label} (line {number})",
    )


def _check_answer_ids(answers: list[ParsedAnswer], reader: _Reader, where) -> None:
    ids = [answer.original_id for answer in answers]
    duplicated = sorted({answer_id for answer_id in ids if ids.count(answer_id) > 1})
    if duplicated:
        reader.problem(
            f"answer id(s) used twice: {_shortened(', '.join(duplicated), quoted=False)}.", **where
        )


def _read_answers(raw, question: ParsedQuestion, reader: _Reader, where) -> list[ParsedAnswer]:
    items = raw.get("answers")
    if not isinstance(items, list) or len(items) < 2:
        reader.problem("a question needs at least two answers.", **where)
        return []
    if "gaps" in raw:
        reader.problem(f"a {question.kind} question has answers, not gaps.", **where)
    answers = []
    for position, item in enumerate(items):
        label = chr(ord("a") + position) if position < 26 else str(position + 1)
        if not isinstance(item, dict):
            reader.problem(f"answer {label} must be a mapping with text and explanation.", **where)
            continue
        if question.kind == "lines":
            answers.append(_read_line_answer(item, label, question, reader, where))
            continue
        reader.unknown_keys(item, ANSWER_KEYS, what=f"answer {label}", where=where)
        answer = ParsedAnswer(
            original_id=reader.text(item, "id", required=False, where=where) or label,
            text=reader.text(item, "text", required=True, where=where),
            is_correct=question.kind == "order" or reader.boolean(item, "correct", where=where),
            explanation=reader.text(item, "explanation", required=True, where=where),
            raises=reader.text(item, "raises", required=False, where=where).strip(),
            label=f"answer {label}",
        )
        if not answer.explanation.strip() or not answer.text.strip():
            reader.problem(f"answer {label} needs both 'text' and 'explanation'.", **where)
        answers.append(answer)
    _check_answer_ids(answers, reader, where)
    if question.kind in ("multiple", "lines"):
        question.choose = reader.integer(raw, "choose", allowed=range(1, 27), where=where)
    elif "choose" in raw:
        reader.problem(
            "'choose' belongs to multiple-choice and select-the-lines questions only.", **where
        )
    _apply_rules(question, answers, reader, where)
    return answers


def _apply_rules(question: ParsedQuestion, answers: list[ParsedAnswer], reader, where) -> None:
    """The rules the admin forms enforce too (exams.content.rules), reported per question."""
    for problem in question_structure_problems(
        kind=question.kind,
        choose=question.choose,
        code=question.code,
        answers=[
            AnswerSpec(answer.text, answer.is_correct, answer.gap_number) for answer in answers
        ],
    ):
        reader.problem(problem.message, **where)


def _read_gaps(raw, question: ParsedQuestion, reader: _Reader, where) -> list[ParsedAnswer]:
    gaps = raw.get("gaps")
    if "answers" in raw:
        reader.problem("a gap question has 'gaps', not 'answers'.", **where)
    if not isinstance(gaps, list) or not gaps:
        reader.problem("a gap question needs a 'gaps' list.", **where)
        return []
    answers = []
    for number, gap in enumerate(gaps, start=1):
        if not isinstance(gap, dict):
            reader.problem(
                f"gap {number} must be a mapping with accepted and explanation.", **where
            )
            continue
        reader.unknown_keys(gap, GAP_KEYS, what=f"gap {number}", where=where)
        accepted = gap.get("accepted")
        if (
            not isinstance(accepted, list)
            or not accepted
            or not all(isinstance(text, str) and text.strip() for text in accepted)
        ):
            reader.problem(f"gap {number} has no accepted answers.", **where)
            continue
        explanation = reader.text(gap, "explanation", required=True, where=where)
        for position, text in enumerate(accepted, start=1):
            answers.append(
                ParsedAnswer(
                    original_id=f"gap{number}-{position}",
                    text=text,
                    is_correct=True,
                    explanation=explanation,
                    gap_number=number,
                    label=f"gap {number}, accepted answer {position}",
                )
            )
    if {answer.gap_number for answer in answers} == set(range(1, len(gaps) + 1)):
        # Every gap parsed: now the shared rules (the code's markers match the gaps).
        _apply_rules(question, answers, reader, where)
    return answers


def check_unique_ids(files: list[ParsedFile]) -> list[ContentProblem]:
    """Question ids must be unique across every file of one import."""
    first_seen: dict[str, ParsedFile] = {}
    problems = []
    for parsed in files:
        for question in parsed.questions:
            earlier = first_seen.get(question.original_id)
            if earlier is not None:
                problems.append(
                    ContentProblem(
                        parsed.path,
                        question.line,
                        question.original_id,
                        f"duplicate id: already used in {earlier.source_file}.",
                    )
                )
            else:
                first_seen[question.original_id] = parsed
    return problems
