"""Template views for staff: the cohort view of share correct per objective."""

from __future__ import annotations

from django import forms
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from exams.statistics import cohort_by_objective, date_range_problem, default_cohort_range


class CohortForm(forms.Form):
    start = forms.DateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label="To", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        problem = date_range_problem(start=cleaned.get("start"), end=cleaned.get("end"))
        if problem:
            raise forms.ValidationError(problem)
        return cleaned


@require_GET
@staff_member_required
def cohort(request: HttpRequest) -> HttpResponse:
    # A GET form: choosing dates only reads, and the URL can be bookmarked or shared.
    start, end = default_cohort_range()
    form = CohortForm(request.GET or None, initial={"start": start, "end": end})
    rows = None
    if not form.is_bound:
        rows = cohort_by_objective(start=start, end=end)
    elif form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        rows = cohort_by_objective(start=start, end=end)
    return render(
        request,
        "exams/staff/cohort.html",
        {"form": form, "rows": rows, "start": start, "end": end},
    )
