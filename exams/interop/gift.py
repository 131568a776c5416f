"""GIFT (Moodle's text format) in and out: a scanner and a parser written to the grammar
Moodle documents, and a writer.

Grammar (as read here):
  file      := { blank-line | comment-line | category | question }
  comment   := "//" to the end of the line (outside an answer block); "// pcep: {json}"
               right before a question carries our own export's metadata
  category  := "$CATEGORY:" path, alone in its record
  question  := [ "::" title "::" ] [ "[" format "]" ] text [ "{" answers "}" [ text ] ]
               records are separated by blank lines; a question may span several lines
  answers   := "" (essay) | "#" ... (numerical) | ("T"|"TRUE"|"F"|"FALSE") feedback*
               | { ("=" | "~") [ "%" weight "%" ] text [ "#" feedback ] } [ "####" general ]
  escapes   := "\\~" "\\=" "\\#" "\\{" "\\}" "\\:" "\\\\" and "\\n" (a line break)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from exams.content.parsing import ContentProblem
from exams.interop.common import (
    MAX_OPTIONS,
    MAX_QUESTIONS_PER_FILE,
    TOO_MANY_OPTIONS,
    TOO_MANY_QUESTIONS,
    ForeignQuestion,
    Translation,
    apply_embedded,
    convert_plain,
    convert_text,
    embedded_metadata,
    exam_metadata,
    native_question,
    parse_embedded,
    parse_embedded_exam,
    question_id,
)

VERIFY_REASON = "Imported from GIFT: its key has no code to run; a reviewer checks it."
ESCAPABLE = "~=#{}:\\"
EMBEDDED_PREFIX = "// pcep:"
EMBEDDED_EXAM_PREFIX = "// pcep-set:"
FRACTION_TOLERANCE = 0.01


class GiftSyntaxError(Exception):
    def __init__(self, message: str, *, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


# The scanner replaces each escaped character by a private-use code point, so that every
# special character left in a record's text is syntax and the parser can use str.find (a
# parser walking the file character by character in Python takes seconds per megabyte).
_ESCAPE_BASE = 0xE000
_ESCAPED_CHARACTERS = re.compile(r"[\ue000-\ue07f]")
_ESCAPE = re.compile(r"\\([~=#{}:\\n])")
_WEIGHTED = re.compile(r"[=~]")


def _encode_escapes(line: str) -> str:
    return _ESCAPE.sub(
        lambda match: "\n" if match.group(1) == "n" else chr(_ESCAPE_BASE + ord(match.group(1))),
        line,
    )


def _decoded(text: str) -> str:
    """Text with its escaped characters back as the literal characters they stand for."""
    return _ESCAPED_CHARACTERS.sub(lambda match: chr(ord(match.group()) - _ESCAPE_BASE), text)


@dataclass
class _Record:
    """A blank-line separated part of the file: its text (comments removed, escapes
    encoded), the line it starts on, and the metadata comment right before it."""

    text: str
    line: int
    embedded: str | None = None

    def line_at(self, offset: int) -> int:
        return self.line + self.text.count("\n", 0, offset)


@dataclass
class _Answer:
    correct_mark: str  # "=" or "~"
    weight: float | None
    text: str
    feedback: str
    line: int


@dataclass
class _Question:
    line: int
    title: str
    text_format: str
    text: str
    kind: str  # "choices", "truefalse", "description"
    answers: list[_Answer] = field(default_factory=list)
    truth: bool | None = None
    truth_feedback: list[str] = field(default_factory=list)
    general_feedback: str = ""


def _embedded_exam(text: str) -> dict[str, str]:
    """The '// pcep-set:' comment our exports start with: the set's title and version."""
    for line in text.splitlines():
        if line.strip().startswith(EMBEDDED_EXAM_PREFIX):
            return parse_embedded_exam(line.strip()[len(EMBEDDED_EXAM_PREFIX) :])
    return {}


def _records(text: str) -> list[_Record]:
    """Split into records at blank lines and encode escapes. A comment line is dropped (a
    'pcep' comment is kept for the record it precedes)."""
    records: list[_Record] = []
    current: list[str] = []
    start = 0
    embedded: str | None = None
    in_block = False  # inside { }: '//' there is text (URLs), not a comment
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not in_block and stripped.startswith("//"):
            if stripped.startswith(EMBEDDED_PREFIX):
                embedded = stripped[len(EMBEDDED_PREFIX) :].strip()
            continue
        if not stripped and not in_block:
            if current:
                records.append(_Record("\n".join(current) + "\n", start, embedded))
                current, embedded = [], None
            continue
        if not current:
            start = number
        encoded = _encode_escapes(line)
        opened, closed = encoded.rfind("{"), encoded.rfind("}")
        if opened != closed:
            in_block = opened > closed
        current.append(encoded)
    if current:
        records.append(_Record("\n".join(current) + "\n", start, embedded))
    return [part for record in records for part in _split_category(record)]


def _split_category(record: _Record) -> list[_Record]:
    """'$CATEGORY:' is its own record; a question written on the next line (without the
    blank line Moodle asks for) is read as a record of its own rather than lost."""
    text = record.text.lstrip()
    if not text.startswith("$CATEGORY:"):
        return [record]
    first, _, rest = text.partition("\n")
    parts = [_Record(first + "\n", record.line)]
    if rest.strip():
        parts.append(_Record(rest, record.line + 1, record.embedded))
    return parts


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _parse_question(record: _Record) -> _Question | str:
    """A record as a question, or as its category path (a str)."""
    text = record.text
    position = _skip_space(text, 0)
    if text.startswith("$CATEGORY:", position):
        return _decoded(text[position + len("$CATEGORY:") :]).strip()
    title = ""
    if text.startswith("::", position):
        end = text.find("::", position + 2)
        if end < 0:
            raise GiftSyntaxError("the title opened with '::' is not closed.", line=record.line)
        title = _decoded(text[position + 2 : end]).strip()
        position = _skip_space(text, end + 2)
    text_format = "moodle"
    if text.startswith("[", position):
        close = text.find("]", position)
        candidate = text[position + 1 : close].strip().lower() if close > 0 else ""
        if candidate in ("html", "markdown", "plain", "moodle"):
            text_format = candidate
            position = close + 1
    opening = text.find("{", position)
    if opening < 0:
        stem = _decoded(text[position:]).strip()
        return _Question(record.line, title, text_format, stem, "description")
    closing = text.find("}", opening + 1)
    if closing < 0:
        raise GiftSyntaxError(
            "the answer block opened with '{' is not closed.", line=record.line_at(opening)
        )
    before = _decoded(text[position:opening]).rstrip()
    after = _decoded(text[closing + 1 :]).strip()
    # A text after the block is Moodle's "missing word" form: the block stands in the text.
    stem = f"{before} _____ {after}".strip() if after else before
    question = _Question(record.line, title, text_format, stem, "choices")
    _parse_answers(text[opening + 1 : closing], question, line=record.line_at(opening))
    return question


def _title_of(record: _Record) -> str:
    """The '::title::' of a record that could not be parsed, to name it in its problem."""
    text = record.text
    position = _skip_space(text, 0)
    if not text.startswith("::", position):
        return ""
    end = text.find("::", position + 2)
    return _decoded(text[position + 2 : end]).strip() if end > 0 else ""


def _parse_answers(block: str, question: _Question, *, line: int) -> None:
    general = block.find("####")
    if general >= 0:
        question.general_feedback = _decoded(block[general + 4 :]).strip()
        block = block[:general]
    content = block.strip()
    if not content:
        raise GiftSyntaxError(
            "an empty answer block {} is an essay question: not supported (an essay is marked "
            "by a person; this product scores every item itself).",
            line=line,
        )
    if content.startswith("#"):
        raise GiftSyntaxError(
            "an answer block starting with '#' is a numerical question: not supported (no "
            "kind here takes a number with a tolerance).",
            line=line,
        )
    parts = [_decoded(part).strip() for part in block.split("#")]
    if parts[0].upper() in ("T", "TRUE", "F", "FALSE") and "=" not in block:
        question.kind = "truefalse"
        question.truth = parts[0].upper().startswith("T")
        question.truth_feedback = parts[1:]
        return
    # Answers start at each unescaped '=' or '~'.
    starts = [match.start() for match in _WEIGHTED.finditer(block)]
    if len(starts) > MAX_OPTIONS:
        raise GiftSyntaxError(TOO_MANY_OPTIONS, line=line)
    if not starts or block[: starts[0]].strip():
        raise GiftSyntaxError("each answer starts with '=' (right) or '~' (wrong).", line=line)
    answer_line, counted = line, 0
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(block)
        answer_line += block.count("\n", counted, start)  # counted once: linear in the block
        counted = start
        question.answers.append(_parse_answer(block[start:end], line=answer_line))


def _parse_answer(segment: str, *, line: int) -> _Answer:
    mark, body = segment[0], segment[1:]
    text, _, rest = body.partition("#")
    feedback = rest.split("#")[0]
    text = text.strip()
    if "->" in text:
        raise GiftSyntaxError(
            "'->' pairs make a matching question: not supported (no kind here matches pairs).",
            line=line,
        )
    weight = None
    if text.startswith("%"):
        raw, separator, remainder = text[1:].partition("%")
        if not separator:
            raise GiftSyntaxError(f"the weight %{raw[:10]} is not closed with '%'.", line=line)
        try:
            weight = float(raw)
        except ValueError:
            raise GiftSyntaxError(f"the weight %{raw[:10]}% is not a number.", line=line) from None
        text = remainder.strip()
    return _Answer(mark, weight, _decoded(text), _decoded(feedback).strip(), line)


def read_gift(text: str, *, path: str) -> Translation:
    """Translate a GIFT file into native questions, each with its line."""
    translation = Translation(exam=_embedded_exam(text))
    reserved = _ESCAPED_CHARACTERS.search(text)
    if reserved:
        line = text.count("\n", 0, reserved.start()) + 1
        translation.problems.append(
            ContentProblem(
                path, line, None, "private-use characters U+E000 to U+E07F are not allowed."
            )
        )
        return translation
    category: str | None = None
    taken: dict[str, int] = {}
    stem = PurePath(path).stem
    for position, record in enumerate(_records(text), start=1):
        if position > MAX_QUESTIONS_PER_FILE + 100:  # a category record may precede each
            translation.problems.append(ContentProblem(path, record.line, None, TOO_MANY_QUESTIONS))
            break
        embedded, embedded_problem = None, None
        if record.embedded:
            embedded, embedded_problem = parse_embedded(record.embedded)
        try:
            parsed = _parse_question(record)
        except GiftSyntaxError as error:
            fallback = question_id(
                [str((embedded or {}).get("id", "")), _title_of(record)],
                fallback=f"{stem}-{position}",
                taken=taken,
            )
            translation.problems.append(ContentProblem(path, error.line, fallback, error.message))
            continue
        if isinstance(parsed, str):
            category = parsed or None
            if category:
                translation.category_lines.setdefault(category, record.line)
            continue
        identifier = question_id(
            [str((embedded or {}).get("id", "")), parsed.title],
            fallback=f"{stem}-{position}",
            taken=taken,
        )
        problems = [embedded_problem] if embedded_problem else []
        document = None
        try:
            document = _translate(parsed, identifier)
        except GiftSyntaxError as error:
            problems.append(error.message)
        if problems:
            translation.problems += [
                ContentProblem(path, record.line, identifier, message) for message in problems
            ]
            continue
        if embedded:
            apply_embedded(document, embedded)
            document["id"] = identifier
        objective = (embedded or {}).get("objective")
        translation.questions.append(
            ForeignQuestion(
                document=document,
                line=record.line,
                category=category,
                embedded_objective=objective if isinstance(objective, str) else None,
            )
        )
    return translation


def _markdown(text: str, text_format: str, *, take_code: bool = False):
    return convert_text(text, text_format="html" if text_format == "html" else "markdown",
                        take_code=take_code)  # fmt: skip


def _translate(question: _Question, identifier: str) -> dict[str, Any]:
    if question.kind == "description":
        raise GiftSyntaxError(
            "a text without an answer block {…} is a description: not a question.",
            line=question.line,
        )
    stem = _markdown(question.text, question.text_format, take_code=True)
    if stem.images:
        raise GiftSyntaxError("its text shows images (<img>): media are not imported.",
                              line=question.line)  # fmt: skip
    explanation = _markdown(question.general_feedback, question.text_format).text
    problems = []
    if not explanation:
        problems.append(
            "it has no general feedback '####…': questions here need an explanation of the "
            "key, shown after answering."
        )
    if question.kind == "truefalse":
        feedback = question.truth_feedback
        # Moodle: the first feedback is shown for a wrong answer, the second for a right one.
        wrong_feedback = feedback[0] if feedback else ""
        right_feedback = feedback[1] if len(feedback) > 1 else ""
        if not (wrong_feedback and right_feedback):
            problems.append(
                "a true/false question here needs both feedbacks {T#wrong answer's#right "
                "answer's}: every option needs an explanation."
            )
        answers = [
            {"text": "True", "correct": question.truth, "explanation": right_feedback
             if question.truth else wrong_feedback},
            {"text": "False", "correct": not question.truth, "explanation": wrong_feedback
             if question.truth else right_feedback},
        ]  # fmt: skip
        _raise(problems, question)
        return native_question(
            question_id=identifier, kind="single", text=stem.text, code=stem.code,
            answers=answers, explanation=explanation, verify_reason=VERIFY_REASON,
        )  # fmt: skip
    answers = question.answers
    right = [answer for answer in answers if _share(answer) > 0]
    wrong = [answer for answer in answers if _share(answer) <= 0]
    if not wrong:
        return _short_answer(question, identifier, stem, explanation, problems)
    negative = [answer for answer in answers if _share(answer) < 0]
    if negative:
        problems.append(
            "negative weights (a penalty for a wrong choice) cannot be represented: here a "
            "wrong option earns 0; found " + ", ".join(f"%{a.weight:g}%" for a in negative) + "."
        )
    shares = [_share(answer) for answer in right]
    if not right:
        problems.append("no answer is right ('=' or a positive %weight%).")
    elif len(right) > 1 and (
        max(shares) - min(shares) > FRACTION_TOLERANCE or abs(sum(shares) - 100) > 0.1
    ):
        problems.append(
            "the right answers must share 100% equally (each right option earns "
            "points / choose here); found " + ", ".join(f"{s:g}%" for s in shares) + "."
        )
    elif len(right) == 1 and shares[0] != 100:
        problems.append(f"the one right answer is worth {shares[0]:g}%, not 100%.")
    missing = [str(index) for index, answer in enumerate(answers, start=1) if not answer.feedback]
    if missing:
        problems.append(
            f"answer(s) {', '.join(missing)} have no feedback '#…': every option here needs an "
            "explanation (for a wrong one, the misconception behind it)."
        )
    _raise(problems, question)
    options = [
        {
            "text": convert_plain(answer.text, text_format=question.text_format).text,
            "correct": _share(answer) > 0,
            "explanation": _markdown(answer.feedback, question.text_format).text,
        }
        for answer in answers
    ]
    several = len(right) > 1
    return native_question(
        question_id=identifier, kind="multiple" if several else "single", text=stem.text,
        code=stem.code, answers=options, choose=len(right) if several else None,
        explanation=explanation, verify_reason=VERIFY_REASON,
    )  # fmt: skip


def _share(answer: _Answer) -> float:
    if answer.weight is not None:
        return answer.weight
    return 100.0 if answer.correct_mark == "=" else 0.0


def _raise(problems: list[str], question: _Question) -> None:
    if problems:
        raise GiftSyntaxError(" ".join(problems), line=question.line)


def _short_answer(question: _Question, identifier, stem, explanation, problems) -> dict:
    """Only right answers: Moodle's short answer, here a gap (the code's blank, or the whole
    answer)."""
    partial = [answer for answer in question.answers if _share(answer) != 100]
    if partial:
        problems.append(
            "a gap here is right or wrong: short answers must all be 100%; found "
            + ", ".join(f"%{answer.weight:g}%" for answer in partial)
            + "."
        )
    if any("*" in answer.text for answer in question.answers):
        problems.append("the '*' wildcard is not supported: a gap accepts exact answers.")
    _raise(problems, question)
    text, code = stem.text, stem.code
    if code and re.search(r"_{3,}", code):
        code = re.sub(r"_{3,}", "{{1}}", code, count=1)
    elif "{{1}}" not in code:
        text = (text + ("\n\n```\n" + code.rstrip("\n") + "\n```" if code else "")).strip()
        code = "{{1}}\n"
    feedback = next((answer.feedback for answer in question.answers if answer.feedback), "")
    gaps = [
        {
            "accepted": [answer.text for answer in question.answers],
            "explanation": _markdown(feedback, question.text_format).text or explanation,
        }
    ]
    return native_question(
        question_id=identifier, kind="gap", text=text, code=code, gaps=gaps,
        explanation=explanation, verify_reason=VERIFY_REASON,
    )  # fmt: skip


# --- writing -------------------------------------------------------------------------------

# Kinds GIFT has no syntax for; a writer skips them and says so.
UNWRITABLE_KINDS = {
    "order": "GIFT has no ordering questions",
    "tiles": "GIFT has no drag-and-drop questions",
}


def escaped(text: str) -> str:
    """Text with GIFT's special characters escaped, and line breaks as '\\n'."""
    text = re.sub(r"([~=#{}:\\])", r"\\\1", text)
    return text.replace("\n", "\\n")


def _stem_text(document: dict) -> str:
    text = document.get("text", "")
    code = document.get("code", "")
    if code:
        text += "\n\n```\n" + code.rstrip("\n") + "\n```"
    return text


def _weight(share: float) -> str:
    return f"{share:.5f}".rstrip("0").rstrip(".")


def write_gift(
    documents: list[dict], *, category: str, exam: dict | None = None
) -> tuple[str, list[str]]:
    """Native question documents as a GIFT file, and a message for each question GIFT cannot
    hold. Each question is preceded by a '// pcep:' comment (Moodle skips comments) with what
    GIFT cannot say: the objective, code, ids, the kind's details."""
    lines: list[str] = []
    if exam:
        metadata = json.dumps(exam_metadata(exam), ensure_ascii=False, sort_keys=True)
        lines += [f"{EMBEDDED_EXAM_PREFIX} {metadata}", ""]
    skipped = []
    current_category = None
    for document in documents:
        kind = document["kind"]
        if kind in UNWRITABLE_KINDS:
            skipped.append(f"{document['id']}: not written ({UNWRITABLE_KINDS[kind]}).")
            continue
        if kind == "gap" and len(document.get("gaps", [])) > 1:
            skipped.append(f"{document['id']}: not written (GIFT has one gap per question).")
            continue
        wanted = f"$course$/{category}/{document.get('objective') or 'unsorted'}"
        if wanted != current_category:
            lines += [f"$CATEGORY: {wanted}", ""]
            current_category = wanted
        metadata = json.dumps(embedded_metadata(document), ensure_ascii=False, sort_keys=True)
        lines.append(f"{EMBEDDED_PREFIX} {metadata}")
        lines.append(f"::{escaped(document['id'])}::[markdown]{escaped(_stem_text(document))} {{")
        if kind == "gap":
            gap = document["gaps"][0]
            for accepted in gap["accepted"]:
                lines.append(f"\t={escaped(accepted)}#{escaped(gap.get('explanation', ''))}")
        else:
            several = kind in ("multiple", "lines")
            share = 100 / (document.get("choose") or 1)
            for option in document.get("answers", []):
                shown = f"Line {option['line']}" if kind == "lines" else option["text"]
                feedback = f"#{escaped(option.get('explanation', ''))}"
                if several:
                    weight = _weight(share) if option.get("correct") else "0"
                    lines.append(f"\t~%{weight}%{escaped(shown)}{feedback}")
                else:
                    mark = "=" if option.get("correct") else "~"
                    lines.append(f"\t{mark}{escaped(shown)}{feedback}")
        lines.append(f"\t####{escaped(document.get('explanation', ''))}")
        lines += ["}", ""]
    return "\n".join(lines), skipped
