"""Verifying keys, with every verdict remembered by a hash of what it depends on.

A verdict depends on the code, its stdin, the options and their key, the kind, the verify
mode and the interpreter that runs it; not on the stem, the explanations, the points or the
question's id. Those parts, with the interpreter's version and the verifier's own version,
hash to a `KeyVerdict.key_hash`: an unchanged bank re-verifies from those rows without
running anything (and without needing the sandbox), and `verify_questions --all` ignores
them and runs everything again.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from exams.content.exporting import question_document, questions_for_export
from exams.content.parsing import ParsedQuestion
from exams.isolation import require_isolation
from exams.models import KeyVerdict, Question
from exams.verifier import (
    ERROR,
    MISMATCH,
    NOT_VERIFIABLE,
    VERIFIED,
    VERIFIER_VERSION,
    Problem,
    QuestionResult,
    verify_questions,
)

_STATUS = {
    VERIFIED: Question.VerificationStatus.VERIFIED,
    MISMATCH: Question.VerificationStatus.MISMATCH,
    ERROR: Question.VerificationStatus.ERROR,
    NOT_VERIFIABLE: Question.VerificationStatus.NOT_VERIFIABLE,
}
# The parts of a question document a verdict depends on (and, inside options, tiles and gaps,
# the parts the checks read: never an explanation).
VERDICT_KEYS = ("kind", "code", "stdin", "output", "verify", "select")


def _option_material(kind: str, option: Mapping[str, Any]) -> list[str]:
    """An option, tile or gap as the checks read it, the same whether it was parsed from a
    file or read from the database (which leave out defaults differently)."""
    return [
        str(option.get("text", option.get("line", ""))),
        # Every item of an ordering question is part of its key: "correct" says nothing there.
        "" if kind == "order" else str(bool(option.get("correct"))),
        str(option.get("raises") or ""),
        str(option.get("gap") or ""),
        json.dumps([str(text) for text in option.get("accepted") or []]),
    ]


def verdict_key(document: Mapping[str, Any]) -> str:
    """The hash of everything the verifier's verdict on this document depends on."""
    kind = str(document.get("kind") or "")
    material: dict[str, Any] = {key: str(document.get(key) or "") for key in VERDICT_KEYS}
    for part in ("answers", "tiles", "gaps"):
        material[part] = [_option_material(kind, option) for option in document.get(part) or []]
    material["python"] = sys.version
    material["verifier"] = VERIFIER_VERSION
    encoded = json.dumps(material, sort_keys=True, ensure_ascii=True).encode()
    return hashlib.sha256(encoded).hexdigest()


def parsed_document(item: ParsedQuestion) -> dict[str, Any]:
    """A parsed (not yet imported) question as the verifier reads it: the shape
    `question_document` gives a stored one."""
    document: dict[str, Any] = {
        "id": item.original_id,
        "objective": item.objective,
        "kind": item.kind,
        "code": item.code,
        "stdin": item.stdin,
        "output": item.expected_output,
        "verify": item.verify_mode,
        "select": item.line_rule,
    }
    if item.kind == Question.Kind.GAP:
        accepted: dict[int, list[str]] = defaultdict(list)
        for answer in item.answers:
            accepted[answer.gap_number or 1].append(answer.text)
        document["gaps"] = [{"accepted": accepted[number]} for number in sorted(accepted)]
    elif item.kind == Question.Kind.TILES:
        document["tiles"] = [
            {"text": answer.text, **({"gap": answer.gap_number} if answer.gap_number else {})}
            for answer in item.answers
        ]
    else:
        document["answers"] = [
            {
                "id": answer.original_id,
                **({"line": answer.text} if item.kind == Question.Kind.LINES else {}),
                "text": answer.text,
                "correct": answer.is_correct,
                **({"raises": answer.raises} if answer.raises else {}),
            }
            for answer in item.answers
        ]
    return document


def verify_documents(
    documents: Sequence[Mapping[str, Any]], *, use_cache: bool = True
) -> list[QuestionResult]:
    """Verdicts for these documents, in order: remembered ones from the cache, the others by
    running them (and then remembered). Raises SandboxUnavailable only when something must
    run and the jail cannot be built."""
    if not use_cache:
        require_isolation()  # asked to run everything: say at once when it cannot
    keys = [verdict_key(document) for document in documents]
    cached = (
        {verdict.key_hash: verdict for verdict in KeyVerdict.objects.filter(key_hash__in=keys)}
        if use_cache
        else {}
    )
    to_run = [index for index, key in enumerate(keys) if key not in cached]
    ran = (
        dict(zip(to_run, verify_questions([documents[i] for i in to_run]), strict=True))
        if to_run
        else {}
    )
    if ran:
        _remember({keys[index]: result for index, result in ran.items()})
    results = []
    for index, document in enumerate(documents):
        if index in ran:
            results.append(ran[index])
        else:
            verdict = cached[keys[index]]
            results.append(
                QuestionResult(
                    str(document.get("id", "?")),
                    str(document.get("objective", "?")),
                    verdict.status,
                    tuple(Problem(**problem) for problem in json.loads(verdict.detail or "[]")),
                )
            )
    return results


def _remember(results: Mapping[str, QuestionResult]) -> None:
    now = timezone.now()
    KeyVerdict.objects.filter(key_hash__in=list(results)).delete()  # --all refreshes them
    KeyVerdict.objects.bulk_create(
        [
            KeyVerdict(
                key_hash=key,
                status=result.status,
                detail=problems_json(result.problems),
                checked_at=now,
            )
            for key, result in results.items()
        ],
        batch_size=500,
        ignore_conflicts=True,  # two imports racing remember the same verdict: either will do
    )


def problems_json(problems: Iterable[Problem]) -> str:
    return json.dumps(
        [
            {
                "message": problem.message,
                "expected": problem.expected,
                "actual": problem.actual,
                "is_error": problem.is_error,
            }
            for problem in problems
        ]
    )


def describe_problems(problems: Iterable[Problem]) -> str:
    """The problems as text for the admin: one per line, with expected and actual output."""
    lines = []
    for problem in problems:
        lines.append(problem.message)
        if problem.expected or problem.actual:
            lines.append(f"  expected: {problem.expected}")
            lines.append(f"  actual:   {problem.actual}")
    return "\n".join(lines)


def apply_result(question: Question, result: QuestionResult, *, now=None) -> None:
    """Set (not save) a question's status and detail from a verdict."""
    question.verification_status = _STATUS[result.status]
    question.verification_detail = describe_problems(result.problems)
    question.verified_at = now or timezone.now()


def verify_stored_questions(
    *, questions: QuerySet[Question] | Iterable[Question] | None = None, use_cache: bool = True
) -> list[QuestionResult]:
    """Check every question's key (from the cache where it can) and store each verdict."""
    selected = list(questions_for_export(questions))
    results = verify_documents(
        [question_document(question) for question in selected], use_cache=use_cache
    )
    now = timezone.now()
    for question, result in zip(selected, results, strict=True):
        apply_result(question, result, now=now)
    Question.objects.bulk_update(
        selected, ["verification_status", "verification_detail", "verified_at"], batch_size=500
    )
    return results
