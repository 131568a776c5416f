"""Keeping each learner's per-objective progress (the design's user_progress) up to date."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Avg, Count, Max, Q
from django.utils import timezone

from exams.models import UserResponse
from progress.models import UserProgress

PROGRESS_FIELDS = (
    "questions_attempted",
    "questions_correct",
    "average_time",
    "last_practice_date",
    "proficiency_level",
    "updated_at",
)


def proficiency(*, attempted: int, correct: int) -> float:
    """The design's measure: accuracy with a 20% boost, capped at 1.0 (design 3.3.2)."""
    if attempted == 0:
        return 0.0
    return min(correct / attempted * 1.2, 1.0)


def refresh_progress(*, user, topic_ids: Iterable[int]) -> list[UserProgress]:
    """Recompute the user's rows for these objectives from every answered response."""
    topic_ids = [topic_id for topic_id in set(topic_ids) if topic_id is not None]
    if not topic_ids:
        return []
    rows = (
        UserResponse.objects.filter(
            session__user=user, question__topic_id__in=topic_ids, answered_at__isnull=False
        )
        .values("question__topic_id")
        .annotate(
            attempted=Count("pk"),
            correct=Count("pk", filter=Q(is_correct=True)),
            average_time=Avg("time_taken"),
            last=Max("answered_at"),
        )
    )
    existing = {
        row.topic_id: row for row in UserProgress.objects.filter(user=user, topic_id__in=topic_ids)
    }
    to_create, to_update = [], []
    for row in rows:
        topic_id = row["question__topic_id"]
        values = {
            "questions_attempted": row["attempted"],
            "questions_correct": row["correct"],
            "average_time": round(row["average_time"] or 0.0, 1),
            "last_practice_date": row["last"],
            "proficiency_level": proficiency(attempted=row["attempted"], correct=row["correct"]),
        }
        progress = existing.get(topic_id)
        if progress is None:
            to_create.append(UserProgress(user=user, topic_id=topic_id, **values))
        else:
            for name, value in values.items():
                setattr(progress, name, value)
            progress.updated_at = timezone.now()  # bulk_update skips auto_now
            to_update.append(progress)
    UserProgress.objects.bulk_create(to_create)
    UserProgress.objects.bulk_update(to_update, PROGRESS_FIELDS)
    return to_create + to_update
