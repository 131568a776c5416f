"""Admin for learner progress (read-mostly)."""

from django.contrib import admin

from pcep_site.admin import ReadOnlyAdminMixin
from progress.models import ReviewCard, UserProgress


@admin.register(UserProgress)
class UserProgressAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "topic",
        "proficiency_level",
        "questions_attempted",
        "questions_correct",
    )
    list_select_related = ("user", "topic")


@admin.register(ReviewCard)
class ReviewCardAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: cards are written by progress.review as learners answer."""

    list_display = ("user", "question", "due", "state", "reps", "lapses", "last_review")
    list_select_related = ("user", "question")
    list_filter = ("state",)
