"""Query-string filters of the instructor API's lists (django-filter FilterSets)."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from exams.models import ExamSession, Question
from exams.statistics import date_range_problem, start_of_day


class WholeNumberFilter(django_filters.NumberFilter):
    """A whole number the database can hold: "1e22" or 2**70 is a 400, not an overflow."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2**63 - 1)  # SQLite's and PostgreSQL's bigint
        super().__init__(*args, **kwargs)


class QuestionFilter(django_filters.FilterSet):
    """The question list's and the export's selection: the admin changelist's filters."""

    objective = django_filters.CharFilter(
        field_name="topic__code", help_text='Objective code, e.g. "1.3".'
    )
    block = WholeNumberFilter(
        field_name="topic__module__number", help_text="Syllabus block number, 1 to 4."
    )
    kind = django_filters.ChoiceFilter(choices=Question.Kind.choices)
    is_active = django_filters.BooleanFilter()
    verification_status = django_filters.ChoiceFilter(choices=Question.VerificationStatus.choices)
    exam = WholeNumberFilter(field_name="exam_id", help_text="The question set's (exam's) id.")
    search = django_filters.CharFilter(
        method="search_text", help_text="Words in the id, the stem or the code."
    )

    class Meta:
        model = Question
        fields = ["objective", "block", "kind", "is_active", "verification_status", "exam"]

    def search_text(self, queryset: QuerySet[Question], name: str, value: str):
        return queryset.filter(
            Q(original_id__icontains=value)
            | Q(text__icontains=value)
            | Q(code_snippet__icontains=value)
        )


class FinishedRangeForm(forms.Form):
    """Refuses a range that ends before it starts, as the staff cohort view does."""

    def clean(self) -> dict:
        cleaned = super().clean()
        problem = date_range_problem(
            start=cleaned.get("finished_from"), end=cleaned.get("finished_to")
        )
        if problem:
            raise forms.ValidationError(problem)
        return cleaned


class AttemptResultFilter(django_filters.FilterSet):
    """Finished attempts by the whole days they finished on (site time zone), exam, mode
    and learner."""

    finished_from = django_filters.DateFilter(
        method="finished_on_or_after", help_text="First day (YYYY-MM-DD), included."
    )
    finished_to = django_filters.DateFilter(
        method="finished_on_or_before", help_text="Last day (YYYY-MM-DD), included."
    )
    exam = WholeNumberFilter(field_name="exam_id", help_text="The exam's id.")
    mode = django_filters.ChoiceFilter(choices=ExamSession.Mode.choices)
    user = WholeNumberFilter(field_name="user_id", help_text="The learner's id.")

    class Meta:
        model = ExamSession
        fields = ["exam", "mode", "user"]
        form = FinishedRangeForm

    def finished_on_or_after(self, queryset: QuerySet[ExamSession], name: str, value):
        return queryset.filter(end_time__gte=start_of_day(value))

    def finished_on_or_before(self, queryset: QuerySet[ExamSession], name: str, value):
        return queryset.filter(end_time__lt=start_of_day(value + timedelta(days=1)))
