"""Admin for the syllabus (syllabi, blocks, objectives) and question sets (exams)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import path, reverse
from django.utils.html import format_html

from exams import drawing
from exams.admin import content_import
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


class ExamAdminForm(forms.ModelForm):
    """Checks what an attempt needs: a blueprint the bank can fill, a time limit, a pass mark."""

    class Meta:
        model = Exam
        fields = (
            "title", "description", "kind", "code", "syllabus", "blueprint", "block_points",
            "total_questions",
            "time_limit", "pass_percent", "max_score", "is_active", "version", "source_file",
            "metadata",
        )  # fmt: skip

    def clean_blueprint(self) -> dict:
        # An emptied field means "no blueprint", not a JSON null.
        blueprint = self.cleaned_data["blueprint"]
        return {} if blueprint is None else blueprint

    def clean_block_points(self) -> dict:
        block_points = self.cleaned_data["block_points"]
        return {} if block_points is None else block_points

    def clean_pass_percent(self) -> int:
        pass_percent = self.cleaned_data["pass_percent"]
        if not 1 <= pass_percent <= 100:
            raise ValidationError("The pass mark must be between 1 and 100 percent.")
        return pass_percent

    def clean_time_limit(self) -> int:
        time_limit = self.cleaned_data["time_limit"]
        if time_limit <= 0:
            raise ValidationError("The time limit must be more than 0 seconds.")
        return time_limit

    def clean(self) -> dict:
        cleaned_data = super().clean()
        blueprint = cleaned_data.get("blueprint")
        if "blueprint" not in cleaned_data:
            return cleaned_data
        is_mock = cleaned_data.get("kind") == Exam.Kind.MOCK
        if blueprint == {}:
            if is_mock:
                self.add_error("blueprint", "A mock exam needs a blueprint of items per block.")
            return cleaned_data
        if not is_mock:
            self.add_error(
                "blueprint", "Only mock exams draw by blueprint: clear it for other kinds."
            )
            return cleaned_data
        problems = drawing.blueprint_problems(
            blueprint=blueprint,
            syllabus=cleaned_data.get("syllabus"),
            block_points=cleaned_data.get("block_points") or {},
            max_score=cleaned_data.get("max_score"),
        )
        for field, field_problems in problems.items():
            for problem in field_problems:
                self.add_error(field, problem)
        return cleaned_data


@admin.register(Exam)
class ExamAdmin(admin.ModelAdmin):
    form = ExamAdminForm
    change_list_template = "admin/exams/import_link_change_list.html"
    list_display = (
        "title", "kind", "code", "active_question_count", "question_count", "time_limit",
        "is_active",
    )  # fmt: skip
    list_filter = ("kind", "is_active")
    search_fields = ("title", "description", "source_file")
    readonly_fields = ("questions_link",)
    actions = ["deactivate", "activate"]

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="exams_exam_import",
            ),
            path(
                "import/confirm/",
                self.admin_site.admin_view(self.import_confirm_view),
                name="exams_exam_import_confirm",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        return content_import.upload_view(request, model_admin=self)

    def import_confirm_view(self, request):
        return content_import.confirm_view(request, model_admin=self)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import_questions": content_import.can_import(request.user),
        }
        return super().changelist_view(request, extra_context=extra_context)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                question_count=Count("questions"),
                active_question_count=Count("questions", filter=Q(questions__is_active=True)),
            )
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        # is_active is the design's soft delete: deleting would cascade to learners' attempts.
        # Without the permission the admin also drops its "delete selected" action.
        return False

    @admin.display(ordering="question_count", description="questions")
    def question_count(self, exam: Exam) -> int:
        return exam.question_count

    @admin.display(ordering="active_question_count", description="active questions")
    def active_question_count(self, exam: Exam) -> int:
        return exam.active_question_count

    @admin.display(description="questions")
    def questions_link(self, exam: Exam) -> str:
        if exam.pk is None:
            return "-"
        url = reverse("admin:exams_question_changelist") + f"?exam__id__exact={exam.pk}"
        return format_html(
            '<a href="{}">{} questions ({} active)</a>',
            url,
            exam.questions.count(),
            exam.questions.filter(is_active=True).count(),
        )

    @admin.action(
        description="Deactivate (hide from learners, keep history)", permissions=["change"]
    )
    def deactivate(self, request, queryset) -> None:
        changed = queryset.filter(is_active=True).update(is_active=False)
        self.message_user(
            request, f"Deactivated {changed} exam(s); their attempts are kept.", messages.SUCCESS
        )

    @admin.action(description="Activate", permissions=["change"])
    def activate(self, request, queryset) -> None:
        changed = queryset.filter(is_active=False).update(is_active=True)
        self.message_user(request, f"Activated {changed} exam(s).", messages.SUCCESS)
