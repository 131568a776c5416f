"""The progress API: the learner's own progress per objective."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from exams.selectors import current_syllabus
from pcep_site.api import COMMON_ERRORS
from progress.api.serializers import ProgressSerializer
from progress.selectors import progress_by_objective


class ProgressView(APIView):
    @extend_schema(responses={200: ProgressSerializer(many=True), **COMMON_ERRORS})
    def get(self, request):
        """Your progress per objective of the current syllabus, in syllabus order."""
        rows = progress_by_objective(user=request.user, syllabus=current_syllabus())
        return Response(ProgressSerializer(rows, many=True).data)
