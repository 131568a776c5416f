"""The learner's "Report a problem with this item" form: one POST view, no JavaScript needed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from exams import reports
from exams.errors import AttemptError
from exams.models import ExamSession, UserResponse

THANKS = "Thanks: an instructor will look at it."


def _back(attempt: ExamSession, item: UserResponse) -> HttpResponse:
    """Back where the form is shown: the attempt's report once it is over, else the item."""
    if attempt.is_completed:
        return redirect("exams:report", attempt_id=attempt.pk)
    return redirect("exams:item", attempt_id=attempt.pk, position=item.position)


@login_required
@require_POST
def report_problem(request: HttpRequest, attempt_id: int, question_id: int) -> HttpResponse:
    attempt = get_object_or_404(ExamSession, pk=attempt_id, user=request.user)
    item = get_object_or_404(
        UserResponse.objects.select_related("question"), session=attempt, question_id=question_id
    )
    try:
        reports.report_item(
            user=request.user,
            session=attempt,
            question=item.question,
            reason=request.POST.get("reason", ""),
            message=request.POST.get("message", ""),
        )
    except AttemptError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, THANKS)
    return _back(attempt, item)
