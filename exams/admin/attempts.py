"""Admin for attempts and responses (read-only: learners' history)."""

from django.contrib import admin

from exams.models import ExamSession, UserResponse


class UserResponseInline(admin.TabularInline):
    model = UserResponse
    fields = ("position", "question", "is_correct", "points_earned", "is_bookmarked", "time_taken")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(ExamSession)
class ExamSessionAdmin(admin.ModelAdmin):
    list_display = ("user", "exam", "mode", "start_time", "is_completed", "scaled_score", "passed")
    list_filter = ("mode", "is_completed", "exam")
    list_select_related = ("user", "exam")
    inlines = [UserResponseInline]
    readonly_fields = ("user", "exam", "mode", "start_time", "deadline", "end_time")
