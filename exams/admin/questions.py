"""Admin for authoring questions with their answers."""

from django.contrib import admin

from exams.models import Answer, Question


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ("answer_order", "text", "is_correct", "raises", "gap_number", "explanation")
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = (
        "original_id", "topic", "kind", "difficulty", "points", "verification_status", "is_active",
    )  # fmt: skip
    list_filter = (
        "topic__module", "topic", "kind", "difficulty", "exam", "is_active", "verification_status",
    )  # fmt: skip
    search_fields = ("original_id", "text", "code_snippet", "answers__text")
    list_select_related = ("topic",)
    inlines = [AnswerInline]
    readonly_fields = ("html_content", "explanation_html", "verification_status")
