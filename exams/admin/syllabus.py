"""Admin for the syllabus (syllabi, blocks, objectives) and question sets."""

from django.contrib import admin
from django.db.models import Count

from exams.models import Exam, Module, Syllabus, Topic


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
