"""Forms, formsets and list filters of the question admin (exams/admin/questions.py)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet

from exams import selectors
from exams.content.rules import (
    ANSWERED_OPTION_KEPT,
    AnswerSpec,
    question_structure_problems,
    verification_problems,
)
from exams.models import Question, Topic
from exams.statistics import flagged_question_ids

# Editing any of these can change what the key should be, so the stored verdict is stale.
KEY_FIELDS = {"text", "code_snippet", "kind", "choose", "stdin", "expected_output", "verify_mode"}
ANSWER_KEY_FIELDS = {"text", "is_correct", "raises", "gap_number", "answer_order", "DELETE"}
RULE_FIELD_LABELS = {"choose": "Choose", "code_snippet": "Code snippet", "answers": "Answers"}
CLASSIFICATION_FIELDS = (
    "exam", "topic", "kind", "points", "difficulty", "choose", "is_active", "question_order",
)  # fmt: skip
VERIFICATION_FIELDS = (
    "verify_mode", "verify_reason", "stdin", "expected_output", "explanation",
    "verification_status",
)  # fmt: skip
MESSAGE_LIMIT = 20  # mismatched questions named one by one in the message area


class QuestionAdminForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = "__all__"  # noqa: DJ007  (the admin's fieldsets choose what is shown)
        widgets = {
            "text": forms.Textarea(attrs={"rows": 4, "cols": 80}),
            "code_snippet": forms.Textarea(
                attrs={
                    "class": "code-editor",
                    "rows": 12,
                    "cols": 80,
                    "spellcheck": "false",
                    "autocapitalize": "off",
                    "autocomplete": "off",
                    "wrap": "off",
                }
            ),
            "explanation": forms.Textarea(attrs={"rows": 4, "cols": 80}),
            "verify_reason": forms.Textarea(attrs={"rows": 2, "cols": 80}),
            "stdin": forms.Textarea(attrs={"class": "code-editor", "rows": 2, "cols": 80}),
            "expected_output": forms.Textarea(
                attrs={"class": "code-editor", "rows": 3, "cols": 80}
            ),
        }

    def clean(self):
        cleaned_data = super().clean()
        # The same rules the importer applies to content files (exams.content.rules).
        for problem in verification_problems(
            kind=cleaned_data.get("kind", ""),
            verify_mode=cleaned_data.get("verify_mode", ""),
            verify_reason=cleaned_data.get("verify_reason", ""),
        ):
            self.add_error(problem.field, problem.message)
        return cleaned_data


class AnswerInlineFormSet(BaseInlineFormSet):
    """Runs the importer's structural rules on the question and its non-deleted answers."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return  # a broken answer row shows its own error; the rules need whole rows
        answers = [
            AnswerSpec(
                text=form.cleaned_data.get("text", ""),
                is_correct=bool(form.cleaned_data.get("is_correct")),
                gap_number=form.cleaned_data.get("gap_number"),
            )
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]
        if self.instance.pk and selectors.question_has_learner_answers(question=self.instance):
            for form in self.initial_forms:
                rewritten = "text" in form.changed_data or "gap_number" in form.changed_data
                if self._should_delete_form(form) or rewritten:
                    raise ValidationError(ANSWERED_OPTION_KEPT)
        # The admin builds this formset on the question the main form has just filled in,
        # so instance carries the posted kind, choose and code.
        question = self.instance
        problems = question_structure_problems(
            kind=question.kind,
            choose=question.choose,
            code=question.code_snippet or "",
            answers=answers,
        )
        if problems:
            raise ValidationError(
                [
                    ValidationError(f"{RULE_FIELD_LABELS.get(problem.field, problem.field)}: "
                                    f"{problem.message}")
                    for problem in problems
                ]
            )  # fmt: skip


class BlockFilter(admin.RelatedOnlyFieldListFilter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.title = "block"


class ObjectiveFilter(admin.RelatedOnlyFieldListFilter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.title = "objective"


class NeedsReviewFilter(admin.SimpleListFilter):
    title = "needs review"
    parameter_name = "needs_review"

    def lookups(self, request, model_admin):
        return [("yes", "Needs review (key mismatch or flagged statistics)")]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        flagged = flagged_question_ids(questions=queryset)
        return queryset.filter(
            Q(verification_status=Question.VerificationStatus.MISMATCH) | Q(pk__in=flagged)
        )


class MoveToTopicForm(forms.Form):
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.select_related("module"), label="Objective"
    )


class SetDifficultyForm(forms.Form):
    difficulty = forms.TypedChoiceField(
        choices=[(level, str(level)) for level in range(1, 6)], coerce=int
    )
