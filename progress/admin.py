"""Admin for learner progress (read-mostly)."""

from django.contrib import admin

from progress.models import UserProgress


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
