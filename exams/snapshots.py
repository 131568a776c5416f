"""What an attempt showed: a copy of each item taken when the attempt starts.

Editing or retiring a question later must not rewrite a learner's history, so the score
report reads the copy. A regrade (exams.services.regrade_question) refreshes the key part
of the copy on purpose, after an author fixed a wrong key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exams.models import Answer, Question


def question_snapshot(question: Question, answers: list[Answer]) -> dict[str, Any]:
    return {
        "original_id": question.original_id,
        "kind": question.kind,
        "points": question.points,
        "choose": question.choose,
        "html_content": question.html_content or "",
        "code_snippet": question.code_snippet or "",
        "explanation_html": question.explanation_html or "",
        "objective": question.topic.code if question.topic_id and question.topic else "",
        "answers": [answer_snapshot(answer) for answer in answers],
    }


def answer_snapshot(answer: Answer) -> dict[str, Any]:
    return {
        "id": answer.pk,
        "text": answer.text,
        "html_content": answer.html_content or "",
        "is_correct": answer.is_correct,
        "explanation": answer.explanation or "",
        "answer_order": answer.answer_order,
        "gap_number": answer.gap_number,
    }


@dataclass(frozen=True)
class ShownAnswer:
    pk: int
    text: str
    html_content: str
    is_correct: bool
    explanation: str
    answer_order: int
    gap_number: int | None


@dataclass(frozen=True)
class ShownQuestion:
    original_id: str
    kind: str
    points: int
    choose: int | None
    html_content: str
    code_snippet: str
    explanation_html: str
    objective: str
    answers: tuple[ShownAnswer, ...]


def shown_question(snapshot: dict[str, Any]) -> ShownQuestion:
    answers = tuple(
        ShownAnswer(
            pk=answer["id"],
            text=answer["text"],
            html_content=answer["html_content"],
            is_correct=answer["is_correct"],
            explanation=answer["explanation"],
            answer_order=answer["answer_order"],
            gap_number=answer["gap_number"],
        )
        for answer in snapshot["answers"]
    )
    return ShownQuestion(
        **{key: snapshot[key] for key in ShownQuestion.__dataclass_fields__ if key != "answers"},
        answers=answers,
    )
