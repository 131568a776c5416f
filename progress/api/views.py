"""The progress API: the learner's own progress per objective."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from exams.selectors import current_syllabus
from pcep_site.api import COMMON_ERRORS
from progress.api.serializers import ProgressSerializer, ReadinessSerializer
from progress.selectors import (
    MIN_ANSWERS_FOR_READINESS,
    MIN_ANSWERS_PER_BLOCK,
    LearnerSnapshot,
    mastery_by_objective,
    progress_by_objective,
    readiness,
)
from progress.study_plan import study_plan


class ProgressView(APIView):
    @extend_schema(responses={200: ProgressSerializer(many=True), **COMMON_ERRORS})
    def get(self, request):
        """Your progress per objective of the current syllabus, in syllabus order."""
        rows = progress_by_objective(user=request.user, syllabus=current_syllabus())
        return Response(ProgressSerializer(rows, many=True).data)


class ReadinessView(APIView):
    @extend_schema(responses={200: ReadinessSerializer, **COMMON_ERRORS})
    def get(self, request):
        """Am I ready? Mastery per objective with its 80% range, the predicted score and
        P(pass) on a fresh mock exam, what to practise next and the reviews due: the
        figures of the Progress page (docs/mastery.md)."""
        # Read and estimated once, as on the Progress page: mastery, readiness and the plan
        # share these figures.
        snapshot = LearnerSnapshot(
            user=request.user, syllabus=current_syllabus(), reuse_estimates=True
        )
        found = readiness(user=request.user, snapshot=snapshot)
        plan = study_plan(user=request.user, snapshot=snapshot)
        data = {
            "exam": found.exam_title if found else None,
            "answers": found.answers if found else snapshot.estimates.answers,
            "days": found.days if found else 0,
            "prediction": found.prediction if found else None,
            "min_answers": MIN_ANSWERS_FOR_READINESS,
            "min_per_block": MIN_ANSWERS_PER_BLOCK,
            "mastery": mastery_by_objective(user=request.user, snapshot=snapshot),
            "practise_next": plan.entries,
            "reviews_due": plan.due_reviews,
            "exam_date": plan.exam_date,
            "days_left": plan.days_left,
            "items_per_day": plan.items_per_day,
        }
        return Response(ReadinessSerializer(data).data)
