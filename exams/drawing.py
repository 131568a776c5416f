"""Drawing items for an attempt: a mock exam by its blueprint, practice by the learner's choice.

Both prefer items the learner has not seen yet.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from exams.errors import AttemptError
from exams.models import Exam, Module, Question, Syllabus, Topic, UserResponse
from progress.selectors import due_question_ids

MAX_PRACTICE_ITEMS = 60


@dataclass(frozen=True)
class PracticeChoice:
    topic: Topic | None = None
    module: Module | None = None
    difficulty: int | None = None
    count: int = 10
    mistakes_only: bool = False
    review_due: bool = False  # the learner's due spaced-review cards (progress/review.py)


def seen_question_ids(*, user) -> set[int]:
    return set(
        UserResponse.objects.filter(session__user=user).values_list("question_id", flat=True)
    )


def _prefer_unseen(candidates: list[int], *, seen: set[int], count: int, rng) -> list[int]:
    unseen = [pk for pk in candidates if pk not in seen]
    already = [pk for pk in candidates if pk in seen]
    rng.shuffle(unseen)
    rng.shuffle(already)
    return (unseen + already)[:count]


def blueprint_problems(*, blueprint, syllabus: Syllabus | None) -> list[str]:
    """Why a blueprint cannot be drawn: checked by the exam admin at edit time and by
    draw_questions at start."""
    if not isinstance(blueprint, dict):
        return ['The blueprint must be a JSON object of block number to item count, e.g. {"1": 7}.']
    problems = []
    counts: dict[str, int] = {}
    for block, count in blueprint.items():
        if not str(block).isdigit():
            problems.append(f"Block {block!r} is not a block number.")
        elif isinstance(count, bool) or not isinstance(count, int) or count < 1:
            problems.append(f"Block {block}: the item count must be a positive whole number.")
        else:
            counts[block] = count
    if not counts:
        return problems
    if syllabus is None:
        return [*problems, "A blueprint needs a syllabus: its block numbers refer to it."]
    modules = {str(module.number): module for module in syllabus.modules.all()}
    available = dict(
        Question.objects.drawable()
        .filter(topic__module__in=modules.values())
        .order_by()
        .values("topic__module")
        .annotate(count=Count("pk"))
        .values_list("topic__module", "count")
    )
    for block, count in counts.items():
        module = modules.get(block)
        if module is None:
            known = ", ".join(sorted(modules, key=int)) or "none"
            problems.append(
                f"Block {block} is not a block of {syllabus.code} (its blocks: {known})."
            )
        elif available.get(module.pk, 0) < count:
            problems.append(
                f"Block {block} needs {count} items, but the bank has only "
                f"{available.get(module.pk, 0)} active questions for it."
            )
    return problems


def draw_questions(*, exam: Exam, user, rng: random.Random | None = None) -> list[int]:
    """Question ids for one attempt: a mock exam draws by blueprint, a fixed set is its own."""
    rng = rng or random.SystemRandom()
    if exam.kind != Exam.Kind.MOCK:
        return list(
            exam.questions.filter(is_active=True)
            .exclude(verification_status__in=Question.BLOCKED_STATUSES)
            .order_by("question_order", "id")
            .values_list("pk", flat=True)
        )
    problems = blueprint_problems(blueprint=exam.blueprint, syllabus=exam.syllabus)
    if problems:
        raise AttemptError(" ".join(problems))
    seen = seen_question_ids(user=user)
    drawn: list[int] = []
    modules = {str(module.number): module for module in exam.syllabus.modules.all()}
    for block, count in sorted(exam.blueprint.items()):
        candidates = list(
            Question.objects.drawable().in_module(modules[block]).values_list("pk", flat=True)
        )
        drawn.extend(_prefer_unseen(candidates, seen=seen, count=count, rng=rng))
    return drawn


def draw_practice_questions(*, user, choice: PracticeChoice, rng=None) -> list[int]:
    rng = rng or random.SystemRandom()
    if choice.review_due:
        due = due_question_ids(
            user=user, now=timezone.now(), limit=max(1, min(choice.count, MAX_PRACTICE_ITEMS))
        )
        if not due:
            raise AttemptError("Nothing is due for review yet.")
        return due
    questions = Question.objects.drawable()
    if choice.topic is not None:
        questions = questions.filter(topic=choice.topic)
    elif choice.module is not None:
        questions = questions.in_module(choice.module)
    if choice.difficulty:
        questions = questions.filter(difficulty=choice.difficulty)
    if choice.mistakes_only:
        questions = questions.filter(
            responses__session__user=user,
            responses__is_correct=False,
            responses__answered_at__isnull=False,
        ).distinct()
    candidates = list(questions.values_list("pk", flat=True))
    if not candidates:
        raise AttemptError(
            "No questions match that choice yet."
            if not choice.mistakes_only
            else "You have no wrongly answered questions to practise. Well done!"
        )
    count = max(1, min(choice.count, MAX_PRACTICE_ITEMS))
    return _prefer_unseen(candidates, seen=seen_question_ids(user=user), count=count, rng=rng)
