"""The learner's progress page: readiness, trends, and mastery per objective with its range."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from exams.selectors import current_syllabus
from progress import charts, trends
from progress.mastery import RANGE_MASS
from progress.selectors import LearnerSnapshot, mastery_by_objective, readiness

TREND_DAYS = 30


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    syllabus = current_syllabus()
    now = timezone.now()
    range_percent = round(RANGE_MASS * 100)
    # Read and estimated once: mastery, readiness and the study plan share these figures,
    # and a later view reuses them while the learner's evidence is unchanged.
    snapshot = LearnerSnapshot(user=request.user, syllabus=syllabus, now=now, reuse_estimates=True)
    rows = mastery_by_objective(user=request.user, snapshot=snapshot)
    mock_scores = trends.mock_exam_scores(user=request.user)
    block_trends = trends.block_accuracy_by_day(user=request.user, days=TREND_DAYS, now=now)
    stats, difficulties = trends.answer_summary(user=request.user)
    first_day = timezone.localdate(trends.window_start(days=TREND_DAYS, now=now))
    return render(
        request,
        "progress/overview.html",
        {
            "rows": rows,
            "readiness": readiness(user=request.user, snapshot=snapshot),
            "snapshot": snapshot,
            "range_percent": range_percent,
            "syllabus": syllabus,
            "mock_scores": mock_scores,
            "mock_chart": charts.mock_exam_chart(mock_scores),
            "mock_rows": charts.mock_exam_rows(mock_scores),
            "block_trends": block_trends,
            "block_rows": charts.accuracy_rows(block_trends),
            "block_chart": charts.accuracy_trend_chart(
                block_trends, first_day=first_day, days=TREND_DAYS
            ),
            "trend_days": TREND_DAYS,
            "mastery_chart": charts.mastery_chart(rows, range_percent=range_percent),
            "stats": stats,
            "difficulties": difficulties,
        },
    )
