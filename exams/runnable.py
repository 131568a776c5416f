""" "Run this code": the program an answered item offers to run in the browser (docs/run-code.md).

The learner has seen the key by then (practice feedback, the finished exam's report), so a
gap, tiles or code-insertion item runs with its key in place: the program that prints the
expected output, ready to be edited.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from exams.content.rules import GAP_PATTERN, INSERT_LINE_PATTERN
from exams.models import Question

# The folder scripts/vendor_pyodide.py fills (its VERSION must match; a test checks it).
PYODIDE_VERSION = "314.0.8"
PYODIDE_STATIC_DIRECTORY = f"vendor/pyodide/{PYODIDE_VERSION}/"
# How long a run may take before its worker is terminated, in seconds (static/js/run-code.js
# reads it from the fragment, so the message and the limit cannot disagree).
RUN_TIMEOUT_SECONDS = 5


class KeyedAnswer(Protocol):
    """An answer as item feedback holds it: a model row or the attempt's snapshot of it."""

    text: str
    is_correct: bool
    gap_number: int | None
    answer_order: int


def runnable_code(*, kind: str, code: str, answers: Sequence[KeyedAnswer]) -> str:
    """The item's code as a program, or "" when the item has no code to run."""
    if not code.strip():
        return ""
    ordered = sorted(answers, key=lambda answer: answer.answer_order)
    if kind in Question.GAP_KINDS:
        return _fill_gaps(code, _gap_fills(kind=kind, answers=ordered))
    if kind == Question.Kind.INSERT:
        keyed = next((answer for answer in ordered if answer.is_correct), None)
        return _insert(code, keyed.text) if keyed is not None else code
    return code


def _gap_fills(*, kind: str, answers: Sequence[KeyedAnswer]) -> dict[int, str]:
    """Gap number -> its keyed text: a gap item's first accepted answer, a tiles item's tile
    (spare tiles have no gap number)."""
    fills: dict[int, str] = {}
    for answer in answers:
        if answer.gap_number is None or (kind == Question.Kind.TILES and not answer.is_correct):
            continue
        fills.setdefault(answer.gap_number, answer.text)
    return fills


def _fill_gaps(code: str, fills: dict[int, str]) -> str:
    # A gap without a keyed text stays as written: the run then shows the learner a
    # SyntaxError at that gap rather than the page failing.
    return GAP_PATTERN.sub(lambda match: fills.get(int(match.group(1)), match.group(0)), code)


def _insert(code: str, line: str) -> str:
    """`code` with its `# insert here` line replaced by `line`, at the marker's indentation."""
    match = INSERT_LINE_PATTERN.search(code)
    if match is None:
        return code
    indent = match.group(1)
    block = "\n".join(indent + part for part in line.splitlines() or [""])
    return code[: match.start()] + block + code[match.end() :]
