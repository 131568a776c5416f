"""POST /api/v1/attempts/{id}/items/{question_id}/report/: report a problem with an item.

The same rules as the page's form (exams.reports.report_item): only an item you answered
in that attempt (or of a finished attempt), a valid reason, a message for "other".
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from exams import reports
from exams.api.views import attempt_for_user, require_database_id
from exams.models import ItemReport, UserResponse
from pcep_site.api import COMMON_ERRORS, NOT_FOUND, error_response


class ItemReportRequestSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ItemReport.Reason.choices)
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=reports.MAX_MESSAGE_LENGTH,
        default="",
        help_text='What is wrong (required when the reason is "other").',
    )


class ItemReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ItemReport
        fields = ["id", "question", "reason", "message", "status", "created_at"]
        read_only_fields = fields


REPORT_REFUSED = error_response(
    "The report breaks a rule (the item is not answered yet, a bad reason, no message for "
    '"other"); nothing was saved.',
    code="not_answered",
    message="You can report a problem with an item once you have answered it.",
    field="question",
)


class ItemReportView(APIView):
    @extend_schema(
        operation_id="attempts_items_report_create",
        parameters=[
            OpenApiParameter("attempt_id", int, OpenApiParameter.PATH),
            OpenApiParameter(
                "question_id", int, OpenApiParameter.PATH, description="The item's question id."
            ),
        ],
        request=ItemReportRequestSerializer,
        responses={
            201: ItemReportSerializer,
            400: REPORT_REFUSED,
            404: NOT_FOUND,
            **COMMON_ERRORS,
        },
        examples=[
            OpenApiExample(
                "Wrong key",
                value={"reason": "wrong_key", "message": "Option B prints 3, not 4."},
                request_only=True,
            )
        ],
    )
    def post(self, request, attempt_id: int, question_id: int):
        """Report a problem with an item you answered. Reporting the same item again while
        your report is open updates that report (same id) instead of adding another."""
        attempt = attempt_for_user(request, attempt_id)
        item = get_object_or_404(
            UserResponse.objects.select_related("question"),
            session=attempt,
            question_id=require_database_id(question_id),
        )
        incoming = ItemReportRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        report = reports.report_item(
            user=request.user,
            session=attempt,
            question=item.question,
            reason=incoming.validated_data["reason"],
            message=incoming.validated_data["message"],
        )
        return Response(ItemReportSerializer(report).data, status=status.HTTP_201_CREATED)
