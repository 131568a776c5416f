"""Keeping each learner's per-objective progress (the design's user_progress) up to date.

`proficiency_level` holds the mastery estimate of progress/mastery.py (0–1): the chance of
answering a medium item of the objective right, as of the last refresh.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from progress.models import UserProgress
from progress.selectors import evidence_responses, masteries_from, moment_of

PROGRESS_FIELDS = (
    "questions_attempted",
    "questions_correct",
    "average_time",
    "last_practice_date",
    "proficiency_level",
    "updated_at",
)


def refresh_progress(
    *, user, topic_ids: Iterable[int], now: datetime | None = None
) -> list[UserProgress]:
    """Recompute the user's rows after answers on these objectives.

    Every row of the learner is rewritten, not only these objectives': an answer moves the
    learner's general level, which every objective's estimate leans on. Two queries
    whatever the history (one read of the evidence, one upsert), as an answer save may add
    at most two.
    """
    if not any(topic_id is not None for topic_id in topic_ids):
        return []
    now = now or timezone.now()
    rows = list(evidence_responses(user=user))
    masteries = masteries_from(rows, now=now)
    answered_by_topic: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        if row["answered"]:
            answered_by_topic[row["question__topic_id"]].append(row)
    progress = []
    for topic_id, mastery in masteries.items():
        answered = answered_by_topic[topic_id]
        progress.append(
            UserProgress(
                user=user,
                topic_id=topic_id,
                questions_attempted=len(answered),
                questions_correct=sum(1 for row in answered if row["is_correct"]),
                average_time=round(
                    sum(row["time_taken"] for row in answered) / len(answered) if answered else 0.0,
                    1,
                ),
                last_practice_date=(
                    moment_of(max(answered, key=lambda row: row["moment"])) if answered else None
                ),
                proficiency_level=mastery.estimate,
                updated_at=now,
            )
        )
    UserProgress.objects.bulk_create(
        progress,
        update_conflicts=True,
        unique_fields=["user", "topic"],
        update_fields=PROGRESS_FIELDS,
    )
    return progress
