"""Admin for authoring the syllabus, question sets, questions and answers; attempts read-only."""

from django.contrib import admin
from django.db.models import Count

from exams.models import Answer, Exam, ExamSession, Module, Question, Syllabus, Topic, UserResponse


class ModuleInline(admin.TabularInline):
    model = Module
    fields = ("number", "name", "weight_percent", "exam_items", "display_order")
    extra = 0


@admin.register(Syllabus)
class SyllabusAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "syllabus_date")
    inlines = [ModuleInline]


class TopicInline(admin.TabularInline):
    model = Topic
    fields = ("code", "name", "description", "display_order")
    extra = 0
    ordering = ("display_order",)


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ("name", "number", "weight_percent", "exam_items", "display_order")
    inlines = [TopicInline]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "module", "question_count")
    list_filter = ("module",)
    search_fields = ("code", "name", "description")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(ordering="question_count", description="questions")
    def question_count(self, topic: Topic) -> int:
        return topic.question_count


@admin.register(Exam)
class ExamAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "code", "total_questions", "time_limit", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("title", "description", "source_file")


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
