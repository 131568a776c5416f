"""Spaced review of mistakes: one FSRS card per learner per missed question (docs/mastery.md).

The scheduling itself is the `fsrs` library's; this module only turns an answer's outcome
into an FSRS rating and stores the card in `progress.models.ReviewCard`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler

from progress.models import ReviewCard

# The due-card selectors live in progress/selectors.py; progress/study_plan.py imports the
# count from here, where it was first written, so they stay importable from this module.
from progress.selectors import due_question_ids, due_review_count

__all__ = [
    "Outcome",
    "due_question_ids",
    "due_review_count",
    "rating_for",
    "schedule_review",
    "schedule_reviews",
]

# The time one item may take: the real exam gives 45 minutes for 30 items. A full-credit
# answer in under a third of it is rated Easy (the learner knew it at once), otherwise Good.
ITEM_TIME_BUDGET_SECONDS = 90.0
QUICK_ANSWER_SECONDS = ITEM_TIME_BUDGET_SECONDS / 3

# No fuzz, so the same answers always give the same schedule (and tests can assert it).
# The steps are the library's defaults: a missed item comes back within the session's day.
SCHEDULER = Scheduler(enable_fuzzing=False)

CARD_FIELDS = (
    "due",
    "state",
    "step",
    "stability",
    "difficulty",
    "last_review",
    "reps",
    "lapses",
    "updated_at",
)


@dataclass(frozen=True)
class Outcome:
    """How the learner did on one item: credit 0–1 (points earned over points), seconds."""

    question_id: int
    credit: float
    time_taken: float


def is_full_credit(credit: float) -> bool:
    # Partial credit is a float sum of fractions, so full credit may fall a hair short of 1.
    return credit >= 1 - 1e-9


def rating_for(*, credit: float, time_taken: float) -> Rating:
    """Wrong → Again, partly right → Hard, right → Good, or Easy when answered quickly."""
    if credit <= 0:
        return Rating.Again
    if not is_full_credit(credit):
        return Rating.Hard
    return Rating.Easy if time_taken < QUICK_ANSWER_SECONDS else Rating.Good


def _fsrs_card(card: ReviewCard) -> Card:
    return Card.from_dict(
        {
            "card_id": card.question_id,
            "state": card.state,
            "step": card.step,
            "stability": card.stability,
            "difficulty": card.difficulty,
            "due": card.due.astimezone(UTC).isoformat(),
            "last_review": card.last_review.astimezone(UTC).isoformat()
            if card.last_review
            else None,
        }
    )


def schedule_reviews(*, user, outcomes: Iterable[Outcome], now: datetime) -> list[ReviewCard]:
    """Review (or create) the learner's cards for these outcomes: one read, one upsert.

    A card is created only for a missed or partly missed item; a right answer reviews an
    existing card and never creates one.
    """
    outcomes = list(outcomes)
    if not outcomes:
        return []
    now = now.astimezone(UTC)
    existing = {
        card.question_id: card
        for card in ReviewCard.objects.for_user(user).filter(
            question_id__in=[outcome.question_id for outcome in outcomes]
        )
    }
    cards = []
    for outcome in outcomes:
        stored = existing.get(outcome.question_id)
        if stored is None and is_full_credit(outcome.credit):
            continue
        rating = rating_for(credit=outcome.credit, time_taken=outcome.time_taken)
        before = _fsrs_card(stored) if stored else Card(card_id=outcome.question_id, due=now)
        after, _log = SCHEDULER.review_card(before, rating, review_datetime=now)
        # A lapse is forgetting an item that had graduated to the Review state.
        lapsed = stored is not None and stored.state == ReviewCard.State.REVIEW
        lapsed = lapsed and rating == Rating.Again
        cards.append(
            ReviewCard(
                user=user,
                question_id=outcome.question_id,
                due=after.due,
                state=int(after.state),
                step=after.step,
                stability=after.stability,
                difficulty=after.difficulty,
                last_review=after.last_review,
                reps=(stored.reps if stored else 0) + 1,
                lapses=(stored.lapses if stored else 0) + int(lapsed),
                created_at=stored.created_at if stored else now,
                updated_at=now,
            )
        )
    if cards:
        ReviewCard.objects.bulk_create(
            cards,
            update_conflicts=True,
            unique_fields=["user", "question"],
            update_fields=CARD_FIELDS,
        )
    return cards


def schedule_review(
    *, user, question, credit: float, time_taken: float, now: datetime
) -> ReviewCard | None:
    """One answer's outcome on the learner's card; None when no card is kept for it."""
    cards = schedule_reviews(
        user=user,
        outcomes=[Outcome(question_id=question.pk, credit=credit, time_taken=time_taken)],
        now=now,
    )
    return cards[0] if cards else None
