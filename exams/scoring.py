"""Scoring one response: pure functions shared by answering, finishing and regrading."""

from __future__ import annotations

import io
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass

from exams.models import Answer, Question


@dataclass(frozen=True)
class Score:
    points: float
    is_correct: bool


def _tokens(text: str) -> tuple[str, ...] | None:
    try:
        tokens = tokenize.generate_tokens(io.StringIO(text.strip()).readline)
        kept = [
            token
            for token in tokens
            if token.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER,
                                  tokenize.INDENT, tokenize.DEDENT)
        ]  # fmt: skip
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    # Python 3.11 marks characters it cannot read as error tokens instead of raising:
    # such text is not Python, so it is compared as plain text.
    if any(token.type == tokenize.ERRORTOKEN for token in kept):
        return None
    return tuple(token.string for token in kept)


def gap_text_matches(given: str, accepted: str) -> bool:
    """Same Python tokens (so spacing does not matter); otherwise the same trimmed text."""
    given_tokens, accepted_tokens = _tokens(given), _tokens(accepted)
    if given_tokens is not None and accepted_tokens is not None:
        return given_tokens == accepted_tokens
    return given.strip() == accepted.strip()


def score_response(
    question: Question,
    answers: Sequence[Answer],
    *,
    choice_ids: Sequence[int] = (),
    order_ids: Sequence[int] = (),
    gap_texts: Sequence[str] = (),
) -> Score:
    """Points earned by a (validated) response, with partial credit as the format defines."""
    points = question.points
    if question.kind in Question.SINGLE_ANSWER_KINDS:
        correct = {answer.pk for answer in answers if answer.is_correct}
        earned = points if len(choice_ids) == 1 and choice_ids[0] in correct else 0
    elif question.kind in Question.MULTIPLE_ANSWER_KINDS:
        correct = {answer.pk for answer in answers if answer.is_correct}
        share = points / max(len(correct), 1)
        earned = share * len(correct.intersection(choice_ids))
    elif question.kind == Question.Kind.ORDER:
        key = [answer.pk for answer in sorted(answers, key=lambda answer: answer.answer_order)]
        in_place = sum(1 for given, wanted in zip(order_ids, key, strict=False) if given == wanted)
        earned = points * in_place / len(key) if key else 0
    elif question.kind == Question.Kind.TILES:
        # Each gap holding its own tile (the exact text: tiles are placed, never typed).
        tile_by_gap = {
            answer.gap_number: answer.text for answer in answers if answer.gap_number is not None
        }
        gap_numbers = sorted(tile_by_gap)
        right = sum(
            1
            for index, number in enumerate(gap_numbers)
            if index < len(gap_texts) and gap_texts[index] == tile_by_gap[number]
        )
        earned = points * right / len(gap_numbers) if gap_numbers else 0
    else:
        accepted_by_gap: dict[int, list[str]] = {}
        for answer in answers:
            accepted_by_gap.setdefault(answer.gap_number or 1, []).append(answer.text)
        gap_numbers = sorted(accepted_by_gap)
        right = sum(
            1
            for index, number in enumerate(gap_numbers)
            if index < len(gap_texts)
            and any(gap_text_matches(gap_texts[index], text) for text in accepted_by_gap[number])
        )
        earned = points * right / len(gap_numbers) if gap_numbers else 0
    earned = round(earned, 4)
    return Score(points=earned, is_correct=earned >= points - 1e-9)
