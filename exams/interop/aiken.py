"""Aiken (Moodle's one-line single-choice text format) in and out, with two extension lines
for what our questions need and Aiken lacks: 'EXPLANATION:' (why the key is right) and
'EXPLANATION B:' (why option B is wrong, or right); and 'ID:', the question's stable id
(without it, questions are numbered by their place in the file).

  What is 2 ** 3?
  A. 6
  B. 8
  ANSWER: B
  ID: q-1.4-017
  EXPLANATION: ** is exponentiation: 2 * 2 * 2.
  EXPLANATION A: Reads ** as multiplication.
  EXPLANATION B: Two cubed is eight.

Aiken has no categories: questions take the default objective (import_questions
--objective, or the admin's default objective).
"""

from __future__ import annotations

import re
from pathlib import PurePath

from exams.content.parsing import ContentProblem
from exams.interop.common import (
    MAX_QUESTIONS_PER_FILE,
    TOO_MANY_QUESTIONS,
    ForeignQuestion,
    Translation,
    native_question,
    question_id,
)

VERIFY_REASON = "Imported from Aiken: its key has no code to run; a reviewer checks it."
OPTION_LINE = re.compile(r"([A-Z])[.)]\s+(.*)")
ANSWER_LINE = re.compile(r"ANSWER:\s*([A-Z])\s*")
EXPLANATION_LINE = re.compile(r"EXPLANATION(?:\s+([A-Z]))?:\s*(.*)")
ID_LINE = re.compile(r"ID:\s*(\S+)")


class _Block:
    def __init__(self, line: int) -> None:
        self.line = line
        self.stem: list[str] = []
        self.options: list[tuple[str, str]] = []
        self.answer: str | None = None
        self.explanation = ""
        self.option_explanations: dict[str, str] = {}
        self.identifier = ""
        self.problems: list[str] = []


def _blocks(text: str) -> list[_Block]:
    """Questions, line by line: stem lines, then options, then ANSWER:, then explanations.
    A new question starts after a blank line or after the lines that follow ANSWER:."""
    blocks: list[_Block] = []
    block: _Block | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            if block is not None and block.answer is not None:
                block = None
            continue
        explanation = EXPLANATION_LINE.fullmatch(line)
        stable_id = ID_LINE.fullmatch(line)
        if block is not None and block.answer is not None and stable_id:
            block.identifier = stable_id.group(1)
            continue
        if block is not None and block.answer is not None and explanation:
            letter, words = explanation.groups()
            if letter:
                block.option_explanations[letter] = words.strip()
            else:
                block.explanation = words.strip()
            continue
        if block is None or block.answer is not None:
            block = _Block(number)
            blocks.append(block)
        answer = ANSWER_LINE.fullmatch(line)
        option = OPTION_LINE.fullmatch(line)
        if answer:
            block.answer = answer.group(1)
        elif option and (block.options or block.stem):
            block.options.append(option.groups())
        elif block.options:
            block.problems.append(
                f"line {number}: after the options comes 'ANSWER: <letter>', not {line[:40]!r}."
            )
        else:
            block.stem.append(line)
    return blocks


def read_aiken(text: str, *, path: str) -> Translation:
    """Translate an Aiken file into native single-choice questions, each with its line."""
    translation = Translation()
    taken: dict[str, int] = {}
    stem_name = PurePath(path).stem
    for position, block in enumerate(_blocks(text), start=1):
        if position > MAX_QUESTIONS_PER_FILE:
            translation.problems.append(ContentProblem(path, block.line, None, TOO_MANY_QUESTIONS))
            break
        identifier = question_id(
            [block.identifier], fallback=f"{stem_name}-{position}", taken=taken
        )
        problems = list(block.problems)
        letters = [letter for letter, _ in block.options]
        if not block.stem:
            problems.append("the question line is missing.")
        if len(block.options) < 2:
            problems.append("an Aiken question lists at least two options 'A. …', 'B. …'.")
        if letters != [chr(ord("A") + index) for index in range(len(letters))]:
            problems.append(f"the options must be lettered A, B, C… in order; found {letters}.")
        if block.answer is None:
            problems.append("the 'ANSWER: <letter>' line is missing.")
        elif block.answer not in letters:
            problems.append(f"ANSWER: {block.answer} names no option.")
        if not block.explanation:
            problems.append(
                "no 'EXPLANATION: …' line after ANSWER: questions here need an explanation of "
                "the key (Aiken has none; this importer reads the extension line)."
            )
        missing = [letter for letter in letters if not block.option_explanations.get(letter)]
        if missing:
            problems.append(
                f"no explanation for option(s) {', '.join(missing)}: add 'EXPLANATION "
                f"{missing[0]}: …' lines (why each wrong option is wrong, and the key right)."
            )
        if problems:
            translation.problems += [
                ContentProblem(path, block.line, identifier, message) for message in problems
            ]
            continue
        answers = [
            {
                "text": option_text,
                "correct": letter == block.answer,
                "explanation": block.option_explanations[letter],
            }
            for letter, option_text in block.options
        ]
        document = native_question(
            question_id=identifier,
            kind="single",
            text="\n".join(block.stem),
            answers=answers,
            explanation=block.explanation,
            verify_reason=VERIFY_REASON,
        )
        translation.questions.append(
            ForeignQuestion(document=document, line=block.line, category=None)
        )
    return translation


def write_aiken(documents: list[dict], *, with_explanations: bool = True) -> tuple[str, list[str]]:
    """Single-choice questions without code as Aiken, and a message for each other question
    (Aiken holds one line of stem and one key). Without `with_explanations` the file is
    plain Aiken, which Moodle reads; with them it is this importer's extended Aiken."""
    lines: list[str] = []
    skipped = []
    for document in documents:
        if document["kind"] != "single":
            skipped.append(
                f"{document['id']}: not written (a {document['kind']} question; Aiken holds "
                "single-choice questions only)."
            )
            continue
        if document.get("code") or "\n" in document["text"].strip():
            skipped.append(
                f"{document['id']}: not written (Aiken's question is one line, without code)."
            )
            continue
        options = document["answers"]
        if len(options) > 26 or any("\n" in option["text"] for option in options):
            skipped.append(f"{document['id']}: not written (an option spans several lines).")
            continue
        lines.append(document["text"].strip())
        key = "A"
        for index, option in enumerate(options):
            letter = chr(ord("A") + index)
            lines.append(f"{letter}. {option['text']}")
            if option.get("correct"):
                key = letter
        lines.append(f"ANSWER: {key}")
        if with_explanations:
            lines.append(f"ID: {document['id']}")
            lines.append(f"EXPLANATION: {' '.join(document['explanation'].split())}")
            for index, option in enumerate(options):
                words = " ".join(option.get("explanation", "").split())
                lines.append(f"EXPLANATION {chr(ord('A') + index)}: {words}")
        lines.append("")
    return "\n".join(lines), skipped
