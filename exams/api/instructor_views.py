"""The instructor side of the REST API: questions, their keys and statistics, imports and
exports, and cohort results. Instructors (the Instructors group) and staff only.

Questions are written through the importer (exams.content.authoring): the API sends the
content format, and the importer's validation and writes are the only ones.
"""

from __future__ import annotations

import csv
import hashlib
import io

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, renderers, status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from exams.api import instructor_serializers as s
from exams.api.filters import AttemptResultFilter, QuestionFilter
from exams.api.permissions import IsInstructor
from exams.content import authoring, file_import
from exams.content.exporting import export_selection, questions_for_export
from exams.content.importing import ImportReport
from exams.content.parsing import ContentProblem
from exams.content.verification import verify_stored_questions
from exams.isolation import SandboxUnavailable
from exams.models import Answer, ExamSession, Question
from exams.statistics import cohort_by_objective, item_statistics, option_rows
from pcep_site.api import (
    BAD_INPUT,
    COMMON_ERRORS,
    FORBIDDEN,
    LIST_ERRORS,
    NOT_FOUND,
    error_body,
    error_response,
)

TAG = "instructor"
INSTRUCTOR_ERRORS = {**COMMON_ERRORS, 403: FORBIDDEN}
INSTRUCTOR_LIST_ERRORS = {**LIST_ERRORS, 403: FORBIDDEN}
CONTENT_INVALID = error_response(
    "The question or file breaks the importer's rules; nothing was written. `problems` "
    "lists every one (file, line and question id where known).",
    code="content_invalid",
    message="single-choice question with 2 correct answers; exactly one may be correct.",
)
SANDBOX_UNAVAILABLE = error_response(
    "The verifier's jail cannot be built on this server; nothing was run.",
    code="sandbox_unavailable",
    message="bubblewrap (bwrap) is not installed",
)
CONFIRMATION_INVALID = error_response(
    "The confirmation does not match this user and content, or it expired.",
    code="confirmation_invalid",
    message=file_import.CONFIRMATION_REFUSED,
    field="confirmation",
)
SINGLE_QUESTION = {
    "id": "q-1.3-901",
    "objective": "1.3",
    "kind": "single",
    "difficulty": 2,
    "points": 20,
    "text": "What is the output of the following snippet?",
    "code": "print(0x10 + 0o10)\n",
    "verify": "output",
    "answers": [
        {"text": "24", "correct": True, "explanation": "0x10 is 16 and 0o10 is 8."},
        {"text": "20", "explanation": "Reads both literals as decimal 10."},
    ],
    "explanation": "Hexadecimal and octal literals are ints: 16 + 8 is 24.",
}
SAMPLE_FILE = (
    'format: 1\nexam:\n  title: "Block 1 extras"\n  description: ""\n  version: "1.0"\n'
    'questions:\n  - id: q-1.3-901\n    objective: "1.3"\n    ...\n'
)

MISMATCH_EXAMPLE = {
    "id": "q-1.3-901",
    "verification_status": "mismatch",
    "problems": [{"message": "the code prints 24, not 20", "expected": "20", "actual": "24"}],
}
CLEAN_DRY_RUN = {
    "dry_run": True, "files": 1, "created": 12, "updated": 0, "unchanged": 0, "retired": 0,
    "exams_created": 1, "exams_updated": 0, "problems": [],
    "confirmation": "eyJ1c2VyIjo0LCJmaWxlIjoiYmxvY2sxLWV4dHJhcy55YW1sIn0:1u…",
}  # fmt: skip


class SandboxUnavailableError(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "sandbox_unavailable"
    default_detail = "The verifier's jail is unavailable."


class YamlRenderer(renderers.BaseRenderer):
    media_type = "application/yaml"
    format = "yaml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return data.encode(self.charset)


class CsvRenderer(renderers.BaseRenderer):
    """Rows of dicts as CSV, with the view's `csv_columns` as the header."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    # A cell starting with one of these is a formula to a spreadsheet; a quote keeps it text.
    FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        columns = renderer_context["view"].csv_columns
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in data:
            writer.writerow({key: self._cell(value) for key, value in row.items()})
        return out.getvalue().encode(self.charset)

    def _cell(self, value):
        if isinstance(value, str) and value.startswith(self.FORMULA_STARTS):
            return "'" + value
        return value


class InstructorOnly:
    """Instructors and staff only; errors in the API's JSON envelope, even where the
    success body is YAML or CSV."""

    permission_classes = [IsInstructor]

    def handle_exception(self, exc):
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return super().handle_exception(exc)


class InstructorView(InstructorOnly, APIView):
    pass


def questions_with_answers():
    return Question.objects.select_related("topic__module").prefetch_related(
        Prefetch("answers", queryset=Answer.objects.order_by("answer_order", "id"))
    )


def refused(problems: list[ContentProblem], *, report: ImportReport | None = None) -> Response:
    """A 400 in the envelope with every problem, and the report when there is one."""
    extra = {"report": report_data(report)} if report is not None else {}
    return Response(
        error_body(
            code="content_invalid",
            message=problems[0].message,
            problems=s.ContentProblemSerializer(problems, many=True).data,
            **extra,
        ),
        status=status.HTTP_400_BAD_REQUEST,
    )


def report_data(report: ImportReport, *, confirmation: str | None = None) -> dict:
    return s.ImportReportSerializer({**vars(report), "confirmation": confirmation}).data


def with_etag(request, data) -> Response:
    """The body with a strong ETag of its JSON; a matching If-None-Match gets a 304."""
    etag = '"' + hashlib.sha256(renderers.JSONRenderer().render(data)).hexdigest()[:32] + '"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
    else:
        response = Response(data)
    response["ETag"] = etag
    return response


QUESTION_FILTERS_NOTE = (
    "Filters: objective, block, kind, is_active, verification_status, exam, search."
)


class QuestionListView(InstructorOnly, ListAPIView):
    serializer_class = s.AuthoredQuestionSerializer
    filterset_class = QuestionFilter
    queryset = Question.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return questions_with_answers().order_by("exam_id", "question_order", "id")

    @extend_schema(
        responses={200: s.AuthoredQuestionSerializer(many=True), **INSTRUCTOR_LIST_ERRORS},
        tags=[TAG],
        description="All questions with their keys and explanations. " + QUESTION_FILTERS_NOTE,
    )
    def get(self, request, *args, **kwargs):
        """List questions."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.QuestionWriteSerializer,
        responses={
            201: s.AuthoredQuestionSerializer,
            400: CONTENT_INVALID,
            **INSTRUCTOR_ERRORS,
        },
        examples=[
            OpenApiExample(
                "A single-choice question", value={"exam": 3, **SINGLE_QUESTION}, request_only=True
            )
        ],
        tags=[TAG],
    )
    def post(self, request):
        """Create a question in a question set: a content-format question (the importer
        validates and writes it, so it is the same as the same question imported)."""
        placement = s.QuestionPlacementSerializer(data=request.data)
        placement.is_valid(raise_exception=True)
        if "exam" not in placement.validated_data:
            raise exceptions.ValidationError({"exam": ["Name the question set (exam id)."]})
        try:
            question = authoring.create_question(
                document=_document(request.data), exam=placement.validated_data["exam"]
            )
        except authoring.QuestionRefused as refusal:
            return refused(refusal.problems)
        if placement.validated_data.get("is_active") is False:
            question = authoring.update_question(
                question=question, document={}, partial=True, is_active=False
            )
        created = questions_with_answers().get(pk=question.pk)
        return Response(s.AuthoredQuestionSerializer(created).data, status=status.HTTP_201_CREATED)


def _document(data) -> dict:
    """The content-format part of a question write."""
    if not isinstance(data, dict):
        raise exceptions.ValidationError("Send the question as a JSON object.")
    return {key: value for key, value in data.items() if key not in s.PLACEMENT_FIELDS}


class QuestionDetailView(InstructorView):
    def question(self, question_id: int) -> Question:
        return get_object_or_404(questions_with_answers(), pk=question_id)

    @extend_schema(
        responses={
            200: s.AuthoredQuestionSerializer,
            304: OpenApiResponse(description="Unchanged since the ETag in If-None-Match."),
            404: NOT_FOUND,
            **INSTRUCTOR_ERRORS,
        },
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                str,
                OpenApiParameter.HEADER,
                description="An ETag from an earlier response: 304 if it still matches.",
            )
        ],
        tags=[TAG],
    )
    def get(self, request, question_id: int):
        """A question with its key and explanations (with an ETag)."""
        return with_etag(request, s.AuthoredQuestionSerializer(self.question(question_id)).data)

    @extend_schema(
        request=s.QuestionWriteSerializer,
        responses={
            200: s.AuthoredQuestionSerializer,
            400: CONTENT_INVALID,
            404: NOT_FOUND,
            **INSTRUCTOR_ERRORS,
        },
        examples=[OpenApiExample("Rewrite", value=SINGLE_QUESTION, request_only=True)],
        tags=[TAG],
    )
    def put(self, request, question_id: int):
        """Rewrite a question from a whole content-format question. Options learners have
        answered cannot be removed or rewritten (mark a wrong key wrong instead)."""
        return self._update(request, question_id, partial=False)

    @extend_schema(
        request=s.PatchedQuestionWriteSerializer,
        responses={
            200: s.AuthoredQuestionSerializer,
            400: CONTENT_INVALID,
            404: NOT_FOUND,
            **INSTRUCTOR_ERRORS,
        },
        examples=[
            OpenApiExample("Harder", value={"difficulty": 4}, request_only=True),
            OpenApiExample("Reactivate", value={"is_active": True}, request_only=True),
        ],
        tags=[TAG],
    )
    def patch(self, request, question_id: int):
        """Change some keys of a question (`answers` or `gaps` are replaced whole); the
        result is checked as a whole question."""
        return self._update(request, question_id, partial=True)

    def _update(self, request, question_id: int, *, partial: bool) -> Response:
        question = self.question(question_id)
        placement = s.QuestionPlacementSerializer(data=request.data)
        placement.is_valid(raise_exception=True)
        exam = placement.validated_data.get("exam")
        if exam is not None and exam.pk != question.exam_id:
            raise exceptions.ValidationError(
                {"exam": ["A question stays in its set; create it in the other set instead."]}
            )
        try:
            authoring.update_question(
                question=question,
                document=_document(request.data),
                partial=partial,
                is_active=placement.validated_data.get("is_active"),
            )
        except authoring.QuestionRefused as refusal:
            return refused(refusal.problems)
        return Response(s.AuthoredQuestionSerializer(self.question(question_id)).data)

    @extend_schema(responses={204: None, 404: NOT_FOUND, **INSTRUCTOR_ERRORS}, tags=[TAG])
    def delete(self, request, question_id: int):
        """Retire a question (is_active false), as the importer and the admin's deactivate
        action do: learners' attempts keep it. PATCH {"is_active": true} brings it back."""
        authoring.update_question(
            question=self.question(question_id), document={}, partial=True, is_active=False
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuestionVerifyView(InstructorView):
    @extend_schema(
        request=None,
        responses={
            200: s.VerificationSerializer,
            404: NOT_FOUND,
            503: SANDBOX_UNAVAILABLE,
            **INSTRUCTOR_ERRORS,
        },
        examples=[
            OpenApiExample(
                "A wrong key",
                value=MISMATCH_EXAMPLE,
                response_only=True,
            )
        ],
        tags=[TAG],
    )
    def post(self, request, question_id: int):
        """Run the question's code against its key in the verifier's jail and store the
        verdict (verified, mismatch or not_verifiable)."""
        question = get_object_or_404(Question, pk=question_id)
        try:
            (result,) = verify_stored_questions(questions=Question.objects.filter(pk=question.pk))
        except SandboxUnavailable as error:
            raise SandboxUnavailableError(str(error)) from error
        return Response(s.VerificationSerializer(result).data)


class QuestionStatisticsView(InstructorView):
    @extend_schema(
        responses={200: s.ItemStatisticsSerializer, 404: NOT_FOUND, **INSTRUCTOR_ERRORS},
        tags=[TAG],
    )
    def get(self, request, question_id: int):
        """The item statistics the admin shows: times answered, facility, discrimination,
        average time, how often each option was chosen, and review flags."""
        question = get_object_or_404(Question, pk=question_id)
        stats = item_statistics(question=question)
        return Response(
            s.ItemStatisticsSerializer(
                {**vars(stats), "options": option_rows(question=question, stats=stats)}
            ).data
        )


class QuestionExportView(InstructorOnly, GenericAPIView):
    filterset_class = QuestionFilter
    renderer_classes = [YamlRenderer]
    queryset = Question.objects.none()

    def get_queryset(self):
        return Question.objects.all()

    @extend_schema(
        responses={
            (200, "application/yaml"): OpenApiResponse(
                OpenApiTypes.OBJECT,  # a YAML document: clients parse it into a mapping
                description="One content file (docs/content-format.md) of the selection.",
                examples=[OpenApiExample("A file", value=SAMPLE_FILE)],
            ),
            # Errors still come in the JSON envelope.
            **{(code, "application/json"): body for code, body in INSTRUCTOR_LIST_ERRORS.items()},
        },
        tags=[TAG],
    )
    def get(self, request):
        """Export the selected questions (the list's filters) as one content file."""
        selection = self.filter_queryset(self.get_queryset())
        questions = questions_for_export(selection).order_by("exam_id", "question_order", "id")
        today = timezone.localdate()
        text = export_selection(questions, title=f"Exported through the API on {today:%Y-%m-%d}")
        response = Response(text, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="questions-{today:%Y%m%d}.yaml"'
        return response


IMPORT_RESPONSES = {
    200: s.ImportReportSerializer,
    400: CONTENT_INVALID,
    413: error_response(
        "The request body is larger than the server accepts.",
        code="parse_error",
        message="Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.",
    ),
    **INSTRUCTOR_ERRORS,
}
JSON_FILE_EXAMPLE = {"file_name": "block1-extras.yaml", "content": SAMPLE_FILE}


def as_upload_or_json(serializer) -> dict:
    """A request body sent as a multipart upload or as JSON, for the schema."""
    return {"multipart/form-data": serializer, "application/json": serializer}


def import_response(request, incoming: dict) -> Response:
    """The file's import report (a 400 with its problems), with a confirmation to apply it
    when it was a clean dry run."""
    file_name, content, dry_run = incoming["file_name"], incoming["content"], incoming["dry_run"]
    report = file_import.import_file_text(file_name=file_name, content=content, dry_run=dry_run)
    if not report.ok:
        return refused(report.problems, report=report)
    confirmation = None
    if dry_run:
        confirmation = file_import.confirmation_for(
            user_id=request.user.pk, file_name=file_name, content=content
        )
    return Response(report_data(report, confirmation=confirmation))


class ImportView(InstructorView):
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        request=as_upload_or_json(s.ImportRequestSerializer),
        responses=IMPORT_RESPONSES,
        examples=[
            OpenApiExample("A file as JSON", value=JSON_FILE_EXAMPLE, request_only=True),
            OpenApiExample(
                "A clean dry run",
                value=CLEAN_DRY_RUN,
                response_only=True,
            ),
        ],
        tags=[TAG],
    )
    def post(self, request):
        """Check a question file (a dry run, the default): the report says what importing it
        would do and, when it is clean, carries the `confirmation` that POST /imports/apply/
        needs. With dry_run false the file is imported at once. A file with problems is a
        400 listing them all; nothing is written."""
        incoming = s.ImportRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return import_response(request, incoming.validated_data)


class ImportApplyView(InstructorView):
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        request=as_upload_or_json(s.ImportApplySerializer),
        responses={**IMPORT_RESPONSES, 400: CONFIRMATION_INVALID},
        examples=[
            OpenApiExample(
                "Apply a checked file",
                value={**JSON_FILE_EXAMPLE, "confirmation": "eyJ1c2VyIjo0…"},
                request_only=True,
            )
        ],
        tags=[TAG],
    )
    def post(self, request):
        """Import a file checked by a dry run: send the same file again with the dry run's
        `confirmation` (valid for an hour, for you, for exactly that content). A 400 when
        the confirmation does not fit, or when the file no longer imports cleanly."""
        incoming = s.ImportApplySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        file_import.check_confirmation(
            confirmation=incoming.validated_data["confirmation"],
            user_id=request.user.pk,
            file_name=incoming.validated_data["file_name"],
            content=incoming.validated_data["content"],
        )
        return import_response(request, {**incoming.validated_data, "dry_run": False})


class ResultListView(InstructorOnly, ListAPIView):
    serializer_class = s.AttemptResultSerializer
    filterset_class = AttemptResultFilter
    renderer_classes = [renderers.JSONRenderer, CsvRenderer]
    csv_columns = s.AttemptResultSerializer.Meta.fields
    queryset = ExamSession.objects.none()

    def get_queryset(self):
        return (
            ExamSession.objects.completed()
            .select_related("user", "exam")
            .order_by("-end_time", "-id")
        )

    def paginate_queryset(self, queryset):
        # CSV is for spreadsheets: every matching row, in one file.
        if self.request.accepted_renderer.format == CsvRenderer.format:
            return None
        return super().paginate_queryset(queryset)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=["json", "csv"],
                description="csv (or Accept: text/csv): every matching row, not paginated.",
            )
        ],
        responses={
            (200, "application/json"): s.AttemptResultSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                examples=[
                    OpenApiExample(
                        "CSV",
                        value=",".join(s.AttemptResultSerializer.Meta.fields) + "\n…",
                    )
                ],
            ),
            **INSTRUCTOR_LIST_ERRORS,
        },
        tags=[TAG],
    )
    def get(self, request, *args, **kwargs):
        """Finished attempts of all learners with their scores, newest first. Filters:
        finished_from, finished_to (whole days, site time zone), exam, mode, user."""
        response = super().get(request, *args, **kwargs)
        if request.accepted_renderer.format == CsvRenderer.format:
            response["Content-Disposition"] = 'attachment; filename="results.csv"'
        return response


class ObjectiveResultsView(InstructorView):
    @extend_schema(
        parameters=[s.DateRangeSerializer],
        responses={
            200: s.ObjectiveWeaknessSerializer(many=True),
            400: BAD_INPUT,
            **INSTRUCTOR_ERRORS,
        },
        tags=[TAG],
    )
    def get(self, request):
        """Per objective, the share of all learners' answers that were correct between
        `start` and `end` (whole days; default the last 30): weakest first, as on the staff
        cohort page. Objectives nobody answered come last."""
        incoming = s.DateRangeSerializer(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        rows = cohort_by_objective(**incoming.validated_data)
        return Response(s.ObjectiveWeaknessSerializer(rows, many=True).data)
