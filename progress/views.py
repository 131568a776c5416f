"""The learner's progress page: proficiency per objective."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from exams.selectors import current_syllabus
from progress.selectors import progress_by_objective


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    syllabus = current_syllabus()
    rows = progress_by_objective(user=request.user, syllabus=syllabus)
    return render(request, "progress/overview.html", {"rows": rows, "syllabus": syllabus})
