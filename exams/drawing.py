"""Drawing items for an attempt: a mock exam by its blueprint, practice by the learner's choice.

Both prefer items the learner has not seen yet.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from exams.errors import AttemptError
from exams.models import Exam, ExamSession, Module, Question, Syllabus, Topic, UserResponse
from exams.point_quota import draw_to_points, point_mixes, worth_summary
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

    def problems(self) -> dict[str, str]:
        """Choices that contradict each other, by field, in words for the learner (the page
        form and the API both refuse them rather than silently preferring one)."""
        problems = {}
        if self.topic and self.module and self.topic.module_id != self.module.pk:
            problems["topic"] = (
                f"Objective {self.topic.code} is not in Block {self.module.number}: "
                "choose an objective of that block, or leave one of the two empty."
            )
        if self.review_due and self.mistakes_only:
            problems["review_due"] = (
                "Choose either your items due for review or the questions you got wrong, not both."
            )
        return problems


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


def blueprint_problems(
    *, blueprint, syllabus: Syllabus | None, block_points=None, max_score: int | None = None
) -> dict[str, list[str]]:
    """Why a blueprint cannot be drawn, by exam field ("blueprint", "block_points"): checked
    by the exam admin at edit time and by draw_questions at start. `block_points`, when
    given, are the points each block's items must add up to; they must cover the
    blueprint's blocks and add up to `max_score`."""
    if not isinstance(blueprint, dict):
        return {
            "blueprint": [
                'The blueprint must be a JSON object of block number to item count, e.g. {"1": 7}.'
            ]
        }
    problems: list[str] = []
    counts: dict[str, int] = {}
    for block, count in blueprint.items():
        if not str(block).isdigit():
            problems.append(f"Block {block!r} is not a block number.")
        elif isinstance(count, bool) or not isinstance(count, int) or count < 1:
            problems.append(f"Block {block}: the item count must be a positive whole number.")
        else:
            counts[block] = count
    maxima, point_problems = _block_maxima(block_points, counts=counts, max_score=max_score)
    found = {"blueprint": problems, "block_points": point_problems}
    if not counts:
        return found
    if syllabus is None:
        problems.append("A blueprint needs a syllabus: its block numbers refer to it.")
        return found
    modules = {str(module.number): module for module in syllabus.modules.all()}
    worths_by_module: dict[int, dict[int, int]] = defaultdict(dict)
    for module_id, points, number in (
        Question.objects.drawable()
        .filter(topic__module__in=modules.values())
        .order_by()
        .values("topic__module", "points")
        .annotate(count=Count("pk"))
        .values_list("topic__module", "points", "count")
    ):
        worths_by_module[module_id][points] = number
    for block, count in counts.items():
        module = modules.get(block)
        if module is None:
            known = ", ".join(sorted(modules, key=int)) or "none"
            problems.append(
                f"Block {block} is not a block of {syllabus.code} (its blocks: {known})."
            )
            continue
        worths = worths_by_module[module.pk]
        if sum(worths.values()) < count:
            problems.append(
                f"Block {block} needs {count} items, but the bank has only "
                f"{sum(worths.values())} active questions for it."
            )
        elif block in maxima and not point_mixes(
            available=worths, count=count, target=maxima[block]
        ):
            point_problems.append(
                f"Block {block}: no {count} active questions add up to {maxima[block]} points "
                f"(the bank has {worth_summary(worths)})."
            )
    return found


def _block_maxima(block_points, *, counts: dict[str, int], max_score: int | None):
    """The valid block maxima and what is wrong with the rest."""
    if not block_points:
        return {}, []
    if not isinstance(block_points, dict):
        return {}, [
            'The block maxima must be a JSON object of block number to points, e.g. {"1": 180}.'
        ]
    maxima: dict[str, int] = {}
    problems = []
    for block, points in block_points.items():
        if isinstance(points, bool) or not isinstance(points, int) or points < 1:
            problems.append(
                f"Block {block}: the maximum must be a positive whole number of points."
            )
        elif str(block) not in counts:
            problems.append(f"Block {block} has a maximum but no items in the blueprint.")
        else:
            maxima[str(block)] = points
    missing = sorted(set(counts) - {str(block) for block in block_points}, key=int)
    if missing:
        problems.append(f"Blocks without a maximum: {', '.join(missing)} (give every block one).")
    elif not problems and max_score is not None and sum(maxima.values()) != max_score:
        problems.append(
            f"The block maxima add up to {sum(maxima.values())} points, not the exam's "
            f"maximum score of {max_score}."
        )
    return maxima, problems


def draw_questions(*, exam: Exam, user, rng: random.Random | None = None) -> list[int]:
    """Question ids for one attempt: a mock exam draws by blueprint, a fixed set is its own.

    With block maxima on the exam, each block's items add up to its maximum, as on the real
    exam (exams/point_quota.py)."""
    rng = rng or random.SystemRandom()
    if exam.kind != Exam.Kind.MOCK:
        return list(
            exam.questions.filter(is_active=True)
            .exclude(verification_status__in=Question.BLOCKED_STATUSES)
            .order_by("question_order", "id")
            .values_list("pk", flat=True)
        )
    problems = blueprint_problems(
        blueprint=exam.blueprint,
        syllabus=exam.syllabus,
        block_points=exam.block_points,
        max_score=exam.max_score,
    )
    if any(problems.values()):
        raise AttemptError(" ".join(problem for found in problems.values() for problem in found))
    seen = seen_question_ids(user=user)
    drawn: list[int] = []
    modules = {str(module.number): module for module in exam.syllabus.modules.all()}
    for block, count in sorted(exam.blueprint.items()):
        pool = Question.objects.drawable().in_module(modules[block])
        if exam.block_points:
            drawn.extend(
                draw_to_points(
                    candidates=pool.values_list("pk", "points"),
                    count=count,
                    target=exam.block_points[block],
                    seen=seen,
                    rng=rng,
                )
            )
        else:
            candidates = list(pool.values_list("pk", flat=True))
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
        # Wrong or partly wrong answers, and items left blank in a finished exam (they
        # scored nothing); a blank in practice is not a mistake (practice is often left
        # half-way).
        questions = questions.filter(
            Q(responses__is_correct=False, responses__answered_at__isnull=False)
            | Q(
                responses__answered_at__isnull=True,
                responses__session__is_completed=True,
                responses__session__mode=ExamSession.Mode.EXAM,
            ),
            responses__session__user=user,
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
