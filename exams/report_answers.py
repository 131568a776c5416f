"""The learner's own answer beside the key, kind by kind (practice feedback and the score
report share it through templates/exams/_feedback.html), and which option texts are code
(shown in the code font) and which are prose (shown in the text font)."""

from __future__ import annotations

import builtins
import html
import keyword
import re
from collections.abc import Sequence
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from exams.models import Question
from exams.scoring import gap_text_matches

# Options of these kinds are lines or pieces of the item's code, whatever they look like.
CODE_KINDS = frozenset({"insert", "lines", "gap", "tiles"})
# Questions whose key is checked by running each option as Python: every option is code.
CODE_VERIFY_MODES = frozenset({"expressions", "runs", "prints"})

_ONE_CODE_SPAN = re.compile(r"`([^`]+)`")
_SENTENCE_OPENER = re.compile(r"(?:A|I|[A-Z][a-z]+(?:'[a-z]+)?),?")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PROSE_WORD = re.compile(r"[A-Z][a-z]+")
_PYTHON_NAMES = frozenset(dir(builtins)) | frozenset(keyword.kwlist)
_STATEMENT_KEYWORDS = frozenset(word for word in keyword.kwlist if word.islower())


def option_is_code(*, kind: str, text: str, verify_mode: str = "") -> bool:
    """Whether an option's text is Python (or a program's output) rather than prose.

    Options of code kinds, and of questions checked by running each option, are code. Any
    other option that reads as a sentence ("It prints nothing", "A SyntaxError is raised")
    is prose. What is left is a printed output (code font) when the key is the code's
    output, and otherwise prose unless it reads as Python: a literal, an expression, a
    keyword or a builtin name ("BaseException"), an identifier ("totalPrice").
    """
    text = (text or "").strip()
    if kind in CODE_KINDS or verify_mode in CODE_VERIFY_MODES:
        return True
    if not text or "\n" in text or _ONE_CODE_SPAN.fullmatch(text):
        return True
    if _reads_as_sentence(text):
        return False
    if verify_mode == Question.VerifyMode.OUTPUT:
        return True
    return _reads_as_python(text)


def _reads_as_sentence(text: str) -> bool:
    words = text.split()
    opener = words[0]
    return (
        len(words) >= 3
        and bool(_SENTENCE_OPENER.fullmatch(opener))
        and opener.rstrip(",") not in _PYTHON_NAMES
    )


def _reads_as_python(text: str) -> bool:
    if not text[0].isalpha():  # a literal, an operator, a bracket, a quote
        return True
    first_word = _IDENTIFIER.match(text)
    if first_word and first_word.group() in _STATEMENT_KEYWORDS:  # "except KeyError:"
        return True
    if text in _PYTHON_NAMES:
        return True
    if _IDENTIFIER.fullmatch(text):
        # A capitalised word ("Semantics") is a term; any other name is code.
        return not _PROSE_WORD.fullmatch(text)
    try:
        compile(text, "<option>", "eval")
    except (SyntaxError, ValueError):
        return False
    return True


def option_markup(text: str, *, is_code: bool) -> SafeString:
    """An option's text as HTML: code verbatim in the code font; prose in the text font,
    with `backticked` words in the code font."""
    text = text or ""
    if is_code:
        whole = _ONE_CODE_SPAN.fullmatch(text.strip())
        shown = whole.group(1) if whole else text
        return mark_safe(f'<code class="option-text">{html.escape(shown)}</code>')
    parts = _ONE_CODE_SPAN.split(text)
    # split() with one group alternates plain text and the insides of code spans.
    inner = "".join(
        f"<code>{html.escape(part)}</code>" if index % 2 else html.escape(part)
        for index, part in enumerate(parts)
    )
    return mark_safe(f'<span class="option-text prose">{inner}</span>')


def own_answer(*, kind: str, answers: Sequence[Any], stored: dict) -> dict:
    """The learner's response to one item, laid out beside its key for its kind.

    `answers` are the item's options (or accepted gap texts, or tiles) in key order.
    """
    if kind == Question.Kind.ORDER:
        return _order_review(answers, stored.get("order") or [])
    if kind == Question.Kind.GAP:
        return {"gap_review": _gap_review(answers, stored.get("gaps") or [])}
    if kind == Question.Kind.TILES:
        return _tiles_review(answers, stored.get("gaps") or [])
    chosen = stored.get("choices") or []
    # The options in the order this attempt showed them, so the review reads like the item.
    shown = {pk: index for index, pk in enumerate(stored.get("option_order") or [])}
    options = sorted(answers, key=lambda answer: shown.get(answer.pk, len(shown)))
    return {"nothing_chosen": not chosen, "options_shown": options}


def _order_review(answers: Sequence[Any], order_given: Sequence[int]) -> dict:
    right_position = {answer.pk: position for position, answer in enumerate(answers, start=1)}
    by_pk = {answer.pk: answer for answer in answers}
    rows = [
        {
            "answer": by_pk[pk],
            "position": position,
            "right_position": right_position[pk],
            "in_place": right_position[pk] == position,
        }
        for position, pk in enumerate(order_given, start=1)
        if pk in by_pk
    ]
    return {"order_review": rows, "order_not_answered": not rows}


def _given(texts: Sequence[str], index: int) -> str:
    return texts[index] if index < len(texts) else ""


def _gap_review(answers: Sequence[Any], gaps_given: Sequence[str]) -> list[dict]:
    """Per gap: what the learner typed, every accepted text, and whether it was accepted."""
    accepted: dict[int, list] = {}
    for answer in answers:
        accepted.setdefault(answer.gap_number or 1, []).append(answer)
    rows = []
    for index, number in enumerate(sorted(accepted)):
        given = _given(gaps_given, index)
        rows.append({
            "gap": number,
            "given": given,
            "empty": not given.strip(),
            "accepted": accepted[number],
            "right": bool(given.strip())
            and any(gap_text_matches(given, answer.text) for answer in accepted[number]),
        })  # fmt: skip
    return rows


def _tiles_review(answers: Sequence[Any], gaps_given: Sequence[str]) -> dict:
    """Per gap: the tile the learner placed and the right one; the spare tiles after."""
    keyed = sorted(
        (answer for answer in answers if answer.gap_number is not None),
        key=lambda answer: answer.gap_number,
    )
    rows = []
    for index, tile in enumerate(keyed):
        given = _given(gaps_given, index)
        rows.append({"gap": tile.gap_number, "given": given, "empty": not given,
                     "accepted": [tile], "right": given == tile.text})  # fmt: skip
    placed = {text for text in gaps_given if text}
    spare = [
        {"tile": answer, "placed": answer.text in placed}
        for answer in answers
        if answer.gap_number is None
    ]
    return {"gap_review": rows, "spare_tiles": spare}
