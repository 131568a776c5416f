"""The learner's progress page: mastery per objective with its range, and readiness."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from exams.selectors import current_syllabus
from progress.mastery import RANGE_MASS
from progress.selectors import mastery_by_objective, readiness


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    syllabus = current_syllabus()
    return render(
        request,
        "progress/overview.html",
        {
            "rows": mastery_by_objective(user=request.user, syllabus=syllabus),
            "readiness": readiness(user=request.user, syllabus=syllabus),
            "range_percent": round(RANGE_MASS * 100),
            "syllabus": syllabus,
        },
    )
