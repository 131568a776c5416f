"""Per-learner, per-objective progress (the design's `user_progress`)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now


class UserProgressQuerySet(models.QuerySet):
    def for_user(self, user) -> "UserProgressQuerySet":
        return self.filter(user=user)


class UserProgress(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="progress",
        null=True,
        db_index=False,
    )
    topic = models.ForeignKey(
        "exams.Topic",
        on_delete=models.CASCADE,
        related_name="user_progress",
        null=True,
        db_index=False,
    )
    proficiency_level = models.FloatField(default=0.0, db_default=0.0)
    questions_attempted = models.IntegerField(default=0, db_default=0)
    questions_correct = models.IntegerField(default=0, db_default=0)
    average_time = models.FloatField(default=0.0, db_default=0.0)
    last_practice_date = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now(), null=True)

    objects = UserProgressQuerySet.as_manager()

    class Meta:
        db_table = "user_progress"
        verbose_name_plural = "user progress"
        indexes = [
            models.Index(fields=["user"], name="idx_user_progress_user_id"),
            models.Index(fields=["topic"], name="idx_user_progress_topic_id"),
            models.Index(fields=["proficiency_level"], name="idx_user_progress_proficiency"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="idx_user_progress_user_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.topic}: {self.proficiency_level:.0%}"


class ReviewCardQuerySet(models.QuerySet):
    def for_user(self, user) -> "ReviewCardQuerySet":
        return self.filter(user=user)

    def due(self, *, now) -> "ReviewCardQuerySet":
        return self.filter(due__lte=now)


class ReviewCard(models.Model):
    """One learner's spaced-review schedule for one question (an FSRS card, see
    progress/review.py): created when the learner misses or partly misses the item."""

    class State(models.IntegerChoices):
        # The values of fsrs.State, so a card round-trips through Card.from_dict unchanged.
        LEARNING = 1, "Learning"
        REVIEW = 2, "Review"
        RELEARNING = 3, "Relearning"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_cards"
    )
    question = models.ForeignKey(
        "exams.Question", on_delete=models.CASCADE, related_name="review_cards"
    )
    due = models.DateTimeField()
    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    last_review = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReviewCardQuerySet.as_manager()

    class Meta:
        db_table = "review_cards"
        indexes = [models.Index(fields=["user", "due"], name="idx_review_cards_user_due")]
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="uniq_review_card_user_q")
        ]

    def __str__(self) -> str:
        return f"{self.user} — question {self.question_id}: due {self.due:%Y-%m-%d %H:%M}"
