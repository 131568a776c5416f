"""Admin for authoring questions: answers inline, shared validation, preview, bulk actions."""

from __future__ import annotations

import html
import random

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from exams.admin.question_forms import (
    AnswerInlineFormSet,
    BlockFilter,
    MoveToTopicForm,
    NeedsReviewFilter,
    ObjectiveFilter,
    QuestionAdminForm,
    SetDifficultyForm,
)
from exams.admin.reports import open_report_count_column, with_open_report_count
from exams.content.exporting import export_selection, questions_for_export
from exams.content.importing import is_edited
from exams.content.rules import split_gaps
from exams.content.verification import verify_stored_questions
from exams.models import Answer, Question
from exams.rendering import highlight_code, render_markdown
from exams.services import regrade_question
from exams.statistics import annotate_item_statistics, item_statistics, option_rows
from exams.verifier import ERROR, MISMATCH, NOT_VERIFIABLE, VERIFIED, SandboxUnavailable

# Editing any of these can change what the key should be, so the stored verdict is stale.
KEY_FIELDS = {"text", "code_snippet", "kind", "choose", "stdin", "expected_output", "verify_mode"}
ANSWER_KEY_FIELDS = {"text", "is_correct", "raises", "gap_number", "answer_order", "DELETE"}
RULE_FIELD_LABELS = {"choose": "Choose", "code_snippet": "Code snippet", "answers": "Answers"}
CLASSIFICATION_FIELDS = (
    "exam", "topic", "kind", "points", "difficulty", "choose", "is_active", "question_order",
)  # fmt: skip
VERIFICATION_FIELDS = (
    "verify_mode", "verify_reason", "line_rule", "stdin", "expected_output", "explanation",
    "verification_status", "verification_detail", "verified_at", "reviewed_by", "reviewed_on",
)  # fmt: skip
ORIGIN_FIELDS = ("origin", "source_file", "edited_since_import", "file_differs")
MESSAGE_LIMIT = 20  # mismatched questions named one by one in the message area


class AnswerInline(admin.TabularInline):
    model = Answer
    formset = AnswerInlineFormSet
    fields = ("answer_order", "text", "is_correct", "raises", "gap_number", "explanation")
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["widgets"] = {
            "text": forms.Textarea(attrs={"class": "code-editor option-editor", "rows": 2}),
            "explanation": forms.Textarea(attrs={"rows": 2}),
        }
        return super().get_formset(request, obj, **kwargs)

    def get_extra(self, request, obj=None, **kwargs) -> int:
        return 4 if obj is None else 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    inlines = [AnswerInline]
    list_display = (
        "original_id", "short_text", "objective", "kind", "difficulty", "verification_status",
        "is_active", open_report_count_column, "times_answered", "facility",
    )  # fmt: skip
    list_display_links = ("original_id", "short_text")
    list_filter = (
        ("topic__module", BlockFilter), ("topic", ObjectiveFilter), "kind", "difficulty",
        "exam", "is_active", "verification_status", "origin", NeedsReviewFilter,
    )  # fmt: skip
    search_fields = ("original_id", "text", "code_snippet", "answers__text")
    list_select_related = ("topic",)
    readonly_fields = (
        "verification_status", "verification_detail", "verified_at", "reviewed_by",
        "reviewed_on", "learner_preview", "key_and_explanations", "statistics", "origin",
        "source_file", "edited_since_import", "file_differs", "learner_reports",
    )  # fmt: skip

    def get_ordering(self, request):
        # Keys the verifier refuted or could not run come first: learners do not get them.
        return ("held_back", "question_order", "id")

    fieldsets = (
        ("Stem and code", {"fields": ("original_id", "text", "code_snippet")}),
        ("Classification", {"fields": CLASSIFICATION_FIELDS}),
        ("Verification and explanation", {"fields": VERIFICATION_FIELDS}),
    )
    origin_fieldsets = (("Where it came from", {"fields": ORIGIN_FIELDS}),)
    saved_fieldsets = (
        ("Preview: the item as a learner sees it", {"fields": ("learner_preview",)}),
        ("Key and explanations", {"fields": ("key_and_explanations",)}),
        ("Item statistics", {"fields": ("statistics",)}),
        ("Learners' reports", {"fields": ("learner_reports",)}),
    )
    actions = (
        "activate", "deactivate", "move_to_topic", "set_difficulty", "verify_keys",
        "export_selection", "regrade_answers", "sign_off_review",
    )  # fmt: skip

    class Media:
        css = {"all": ("css/code.css", "css/admin-authoring.css")}

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets
        return self.fieldsets + self.origin_fieldsets + self.saved_fieldsets

    def get_queryset(self, request):
        held_back = Case(
            When(verification_status__in=Question.BLOCKED_STATUSES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        # ModelAdmin.get_queryset would order by the annotation before it exists.
        queryset = self.model._default_manager.get_queryset().annotate(held_back=held_back)
        queryset = queryset.order_by(*self.get_ordering(request))
        return with_open_report_count(annotate_item_statistics(queryset))

    @admin.display(description="reports")
    def learner_reports(self, question: Question) -> SafeString:
        # Read-only here (an inline would make every save post its empty formset); the
        # queue in "Item reports" resolves them.
        reports = question.reports.select_related("user").order_by("-created_at")[:50]
        return render_to_string("admin/exams/question/learner_reports.html", {"reports": reports})

    # Where it came from

    @admin.display(description="source file")
    def source_file(self, question: Question) -> str:
        return (question.exam.source_file if question.exam_id else "") or "—"

    @admin.display(description="edited since its import")
    def edited_since_import(self, question: Question) -> str:
        if question.origin != Question.Origin.FILE:
            return "not imported: the database's version is the only one"
        if not question.imported_hash:
            return "unknown (imported before the content hash existed)"
        edited = is_edited(question, question.answers.all())
        return "yes: a re-import keeps this version and reports a conflict" if edited else "no"

    @admin.display(description="file and database differ")
    def file_differs(self, question: Question) -> str:
        if question.origin != Question.Origin.FILE or not question.file_hash:
            return "—"
        from exams.content.importing import stored_hash

        if stored_hash(question, question.answers.all()) == question.file_hash:
            return "no (as of the last import)"
        return "yes (as of the last import): import with --take-file-for to take the file's"

    # List columns

    @admin.display(description="text", ordering="text")
    def short_text(self, question: Question) -> str:
        return Truncator(question.text).chars(70)

    @admin.display(description="objective", ordering="topic__code")
    def objective(self, question: Question) -> str:
        return question.topic.code if question.topic else "—"

    @admin.display(description="times answered", ordering="times_answered")
    def times_answered(self, question: Question) -> int:
        return question.times_answered

    @admin.display(description="facility", ordering="facility")
    def facility(self, question: Question) -> str:
        return "—" if question.facility is None else f"{question.facility:.2f}"

    # Change page: preview, key and statistics (saved state; save to refresh)

    @admin.display(description="learner preview")
    def learner_preview(self, question: Question) -> SafeString:
        answers = _ordered_answers(question)
        if question.kind == Question.Kind.ORDER:
            answers = _shuffled_away_from_key(answers, seed=question.pk)
        return render_to_string(
            "admin/exams/question/learner_preview.html",
            {
                "question": question,
                "stem_html": _stem_html(question),
                "code_html": highlight_code(question.code_snippet)
                if question.code_snippet and question.kind != Question.Kind.GAP
                else "",
                "options": [(answer, _answer_html(answer)) for answer in answers],
                "gap_parts": split_gaps(question.code_snippet or "")
                if question.kind == Question.Kind.GAP
                else [],
            },
        )

    @admin.display(description="key and explanations")
    def key_and_explanations(self, question: Question) -> SafeString:
        answers = _ordered_answers(question)
        gaps: dict[int, list[Answer]] = {}
        for answer in answers:
            gaps.setdefault(answer.gap_number or 0, []).append(answer)
        return render_to_string(
            "admin/exams/question/key_and_explanations.html",
            {
                "question": question,
                "options": [(answer, _answer_html(answer)) for answer in answers],
                "gaps": sorted(gaps.items()),
                "explanation_html": question.explanation_html
                or render_markdown(question.explanation or ""),
            },
        )

    @admin.display(description="statistics")
    def statistics(self, question: Question) -> SafeString:
        stats = item_statistics(question=question)
        return render_to_string(
            "admin/exams/question/statistics.html",
            {"stats": stats, "option_rows": option_rows(question=question, stats=stats)},
        )

    # Saving: rendering only (validation lives in the form and the formset)

    def save_model(self, request, obj: Question, form, change: bool) -> None:
        for name in LINE_BROKEN_FIELDS:
            setattr(obj, name, _unix_newlines(getattr(obj, name)))
        obj.html_content = render_markdown(obj.text)
        obj.explanation_html = render_markdown(obj.explanation or "")
        if change and KEY_FIELDS.intersection(form.changed_data):
            obj.verification_status = Question.VerificationStatus.UNCHECKED
        super().save_model(request, obj, form, change)
        if not obj.original_id:
            # Every question needs a stable id to be exported and re-imported in place.
            obj.original_id = f"admin-{obj.pk}"
            Question.objects.filter(pk=obj.pk).update(original_id=obj.original_id)

    def save_related(self, request, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        self._verify_saved(request, form.instance)

    def _verify_saved(self, request, question: Question) -> None:
        """Every save checks the key (a remembered verdict when the key did not change): a
        wrong key is said at once, and the question is held back from learners."""
        try:
            (result,) = verify_stored_questions(questions=Question.objects.filter(pk=question.pk))
        except SandboxUnavailable as error:
            self.message_user(request, f"The key was not verified: {error}", messages.WARNING)
            return
        if result.status in (MISMATCH, ERROR):
            first = result.problems[0] if result.problems else None
            detail = f" {first.message}" if first else ""
            if first and (first.expected or first.actual):
                detail += f" (expected: {first.expected}; actual: {first.actual})"
            word = "does not match its code" if result.status == MISMATCH else "cannot be checked"
            self.message_user(
                request,
                f"The key {word}, so learners will not be given this question until it is "
                f"fixed:{detail}",
                messages.ERROR,
            )
        elif result.status == VERIFIED:
            self.message_user(request, "The key was verified by running the code.")
        elif result.status == NOT_VERIFIABLE and not question.reviewed_by:
            self.message_user(
                request,
                "This key cannot be run: have a reviewer sign it off (action 'Sign off').",
                messages.WARNING,
            )

    def save_formset(self, request, form, formset, change: bool) -> None:
        key_changed = any(
            ANSWER_KEY_FIELDS.intersection(answer_form.changed_data)
            for answer_form in formset.forms
        )
        answers = formset.save(commit=False)
        for answer in answers:
            answer.text = _unix_newlines(answer.text)
            answer.html_content = html.escape(answer.text)
            answer.save()
        for answer in formset.deleted_objects:
            answer.delete()
        formset.save_m2m()
        question = form.instance
        if (
            change
            and key_changed
            and question.verification_status != Question.VerificationStatus.UNCHECKED
        ):
            question.verification_status = Question.VerificationStatus.UNCHECKED
            Question.objects.filter(pk=question.pk).update(
                verification_status=Question.VerificationStatus.UNCHECKED
            )

    # Bulk actions

    @admin.action(description="Activate selected questions", permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        count = _plain(queryset).update(is_active=True)
        self.message_user(request, f"Activated {count} question(s).", messages.SUCCESS)

    @admin.action(description="Deactivate selected questions", permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        count = _plain(queryset).update(is_active=False)
        self.message_user(
            request,
            f"Deactivated {count} question(s); learners' past attempts keep them.",
            messages.SUCCESS,
        )

    @admin.action(description="Move selected questions to an objective…", permissions=["change"])
    def move_to_topic(self, request: HttpRequest, queryset: QuerySet[Question]):
        return self._set_field(
            request, queryset, MoveToTopicForm, field="topic", action="move_to_topic",
            title="Move questions to objective",
            done="Moved {count} question(s) to objective {value}.",
        )  # fmt: skip

    @admin.action(description="Set difficulty of selected questions…", permissions=["change"])
    def set_difficulty(self, request: HttpRequest, queryset: QuerySet[Question]):
        return self._set_field(
            request, queryset, SetDifficultyForm, field="difficulty", action="set_difficulty",
            title="Set difficulty", done="Set difficulty {value} on {count} question(s).",
        )  # fmt: skip

    def _set_field(self, request, queryset, form_class, *, field, action, title, done):
        """An action that asks for one value on an intermediate page, then sets it on all."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            value = form.cleaned_data[field]
            count = _plain(queryset).update(**{field: value})
            self.message_user(request, done.format(count=count, value=value), messages.SUCCESS)
            return None
        return self._action_page(request, queryset, form, action=action, title=title)

    @admin.action(description="Verify keys of selected questions", permissions=["change"])
    def verify_keys(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        try:
            results = verify_stored_questions(questions=_plain(queryset))
        except SandboxUnavailable as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        verified = [result for result in results if result.status == VERIFIED]
        # An unrunnable key is held back like a wrong one, and named with them.
        mismatched = [result for result in results if result.status in (MISMATCH, ERROR)]
        not_verifiable = len(results) - len(verified) - len(mismatched)
        summary = f"{len(verified)} verified, {len(mismatched)} mismatched"
        if mismatched:
            summary += ": " + ", ".join(result.question_id for result in mismatched)
        if not_verifiable:
            summary += f"; {not_verifiable} not verifiable"
        self.message_user(
            request, summary + ".", messages.WARNING if mismatched else messages.SUCCESS
        )
        for result in mismatched[:MESSAGE_LIMIT]:
            first = result.problems[0].message if result.problems else "mismatch"
            self.message_user(request, f"{result.question_id}: {first}", messages.ERROR)
        if len(mismatched) > MESSAGE_LIMIT:
            self.message_user(
                request,
                f"… and {len(mismatched) - MESSAGE_LIMIT} more mismatched; filter the list "
                "by verification status to see them all.",
                messages.ERROR,
            )

    @admin.action(description="Export selected questions to the content format")
    def export_selection(self, request: HttpRequest, queryset: QuerySet[Question]):
        questions = questions_for_export(_plain(queryset)).order_by("question_order", "id")
        today = timezone.localdate()
        text = export_selection(questions, title=f"Exported from admin on {today:%Y-%m-%d}")
        response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="questions-{today:%Y%m%d}.yaml"'
        return response

    @admin.action(
        description="Regrade learners' answers to selected questions", permissions=["change"]
    )
    def regrade_answers(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        attempts = scores_changed = 0
        for question in _plain(queryset):
            result = regrade_question(question=question)
            attempts += result.attempts_checked
            scores_changed += result.scores_changed
        self.message_user(
            request, f"Regraded {attempts} attempts; {scores_changed} scores changed.",
            messages.SUCCESS,
        )  # fmt: skip

    @admin.action(
        description="Sign off the keys of selected unverifiable questions as reviewed",
        permissions=["change"],
    )
    def sign_off_review(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        selected = _plain(queryset)
        count = selected.filter(verify_mode=Question.VerifyMode.NONE).update(
            reviewed_by=request.user.get_username(), reviewed_on=timezone.localdate()
        )
        skipped = selected.count() - count
        message = f"Signed off {count} key(s) as reviewed by {request.user.get_username()}."
        if skipped:
            message += f" {skipped} verifiable question(s) skipped: running them checks them."
        self.message_user(request, message, messages.SUCCESS)

    def _action_page(self, request, queryset, form, *, action: str, title: str):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "questions": _plain(queryset).select_related("topic"),
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/exams/question/bulk_action.html", context)


# Browsers send a textarea's line breaks as CRLF: stored as sent, a multi-line option such as
# "0\r\n1" would never equal the "0\n1" its code prints, and the verifier would call it wrong.
LINE_BROKEN_FIELDS = ("text", "code_snippet", "stdin", "expected_output", "explanation")


def _unix_newlines(value):
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def _plain(queryset: QuerySet[Question]) -> QuerySet[Question]:
    """The selection without the changelist's statistics columns, for updates and exports."""
    return Question.objects.filter(pk__in=queryset.values("pk"))


def _ordered_answers(question: Question) -> list[Answer]:
    return sorted(question.answers.all(), key=lambda answer: (answer.answer_order, answer.pk))


def _shuffled_away_from_key(answers: list[Answer], *, seed: int) -> list[Answer]:
    # Learners get the items of an ordering question shuffled; showing them in answer order
    # would give the key away, so the preview shuffles too (the same way on every visit).
    shuffled = list(answers)
    random.Random(seed).shuffle(shuffled)
    if len(shuffled) > 1 and shuffled == answers:
        shuffled.reverse()
    return shuffled


def _stem_html(question: Question) -> str:
    # html_content is sanitized when saved; questions from other sources may lack it.
    return question.html_content or render_markdown(question.text)


def _answer_html(answer: Answer) -> str:
    return answer.html_content if answer.html_content is not None else html.escape(answer.text)
