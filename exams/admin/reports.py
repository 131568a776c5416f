"""Admin for item reports: the instructors' queue of problems learners found in items.

The question admin can show a question's reports with `ItemReportInline` and its open
count with `open_report_count_column` (see their docstrings).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator

from exams.models import ItemReport, Question
from exams.reports import resolve_report


@admin.register(ItemReport)
class ItemReportAdmin(admin.ModelAdmin):
    list_display = ("question", "reason", "status", "user", "created_at", "short_message")
    list_filter = ("status", "reason")
    list_select_related = ("question", "user")
    search_fields = ("message", "question__text", "question__original_id", "user__username")
    date_hierarchy = "created_at"
    fields = (
        "question", "user", "session", "reason", "message", "created_at",
        "status", "resolution", "resolved_at", "resolved_by",
    )  # fmt: skip
    readonly_fields = (
        "question", "user", "session", "reason", "message", "created_at",
        "resolved_at", "resolved_by",
    )  # fmt: skip
    actions = ("mark_resolved", "dismiss", "resolve_and_regrade")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # reports come from learners

    @admin.display(description="message")
    def short_message(self, report: ItemReport) -> str:
        return Truncator(report.message).chars(60)

    def _open(self, queryset: QuerySet[ItemReport]) -> list[ItemReport]:
        return list(queryset.open().select_related("question").order_by("question_id", "id"))

    @admin.action(description="Mark resolved", permissions=["change"])
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet[ItemReport]) -> None:
        reports = self._open(queryset)
        for report in reports:
            resolve_report(report=report, by=request.user)
        self.message_user(request, f"Resolved {len(reports)} report(s).", messages.SUCCESS)

    @admin.action(description="Dismiss", permissions=["change"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[ItemReport]) -> None:
        reports = self._open(queryset)
        for report in reports:
            resolve_report(report=report, by=request.user, dismiss=True)
        self.message_user(request, f"Dismissed {len(reports)} report(s).", messages.SUCCESS)

    @admin.action(description="Resolve and regrade (after fixing the key)", permissions=["change"])
    def resolve_and_regrade(self, request: HttpRequest, queryset: QuerySet[ItemReport]) -> None:
        reports = self._open(queryset)
        regraded_questions: set[int] = set()
        responses_changed = scores_changed = 0
        for report in reports:
            # Several reports on one question: regrade it once.
            regrade = report.question_id not in regraded_questions
            result = resolve_report(report=report, by=request.user, regrade=regrade)
            if result is not None:
                regraded_questions.add(report.question_id)
                responses_changed += result.responses_changed
                scores_changed += result.scores_changed
        self.message_user(
            request,
            f"Resolved {len(reports)} report(s); regraded {len(regraded_questions)} "
            f"question(s): {responses_changed} response(s) regraded, "
            f"{scores_changed} attempt score(s) changed.",
            messages.SUCCESS,
        )


class ItemReportInline(admin.TabularInline):
    """Read-only list of a question's reports, for the Question change page:
    `inlines = [..., ItemReportInline]` in QuestionAdmin."""

    model = ItemReport
    fk_name = "question"
    fields = ("created_at", "user", "reason", "message", "status", "resolution")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("-created_at", "-id")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def with_open_report_count(queryset: QuerySet[Question]) -> QuerySet[Question]:
    """Annotate `open_report_count` (one query for the whole changelist)."""
    return queryset.annotate(
        open_report_count=Count("reports", filter=Q(reports__status=ItemReport.Status.OPEN))
    )


@admin.display(description="open reports")
def open_report_count_column(question: Question) -> int:
    """A changelist column: `list_display = (..., open_report_count_column)`.

    It uses the `open_report_count` annotation when the queryset has it
    (`with_open_report_count`), else counts with one query per row.
    """
    count = getattr(question, "open_report_count", None)
    if count is None:
        count = ItemReport.objects.open().filter(question=question).count()
    return count
