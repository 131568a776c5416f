"""The learner side of the REST API: the same services and selectors the pages call.

Each view validates its input, calls one service or selector, and serializes the result;
another learner's attempt is a 404, as on the pages.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from exams import selectors, services
from exams.api import serializers as s
from exams.errors import AttemptError
from exams.models import Answer, Exam, ExamSession, UserResponse
from pcep_site.api import (
    BAD_INPUT,
    COMMON_ERRORS,
    LIST_ERRORS,
    NOT_FOUND,
    error_body,
    error_response,
)

NOT_FINISHED = error_response(
    "The attempt is not finished yet: its report appears once it is submitted.",
    code="attempt_not_finished",
    message="The score report appears once the attempt is submitted.",
)
FINISHED = error_response(
    "The attempt is finished (submitted, or its time ran out); nothing was changed.",
    code="attempt_finished",
    message="Time is up: this change arrived after the deadline and was not saved.",
)
NO_QUESTIONS = error_response(
    "No attempt could be started (no such exam, or the bank cannot fill it).",
    code="attempt_rule",
    message="This exam has no questions yet.",
)


# The largest id a bigint column holds (SQLite's and PostgreSQL's): a larger one in a URL
# names nothing, and handing it to the database would overflow instead of a 404.
MAX_DATABASE_ID = 2**63 - 1


def require_database_id(value: int) -> int:
    if value > MAX_DATABASE_ID:
        raise Http404
    return value


def attempt_for_user(request, attempt_id: int) -> ExamSession:
    """The caller's own attempt, finished first if its time ran out; anyone else's is a 404."""
    require_database_id(attempt_id)
    attempt = get_object_or_404(
        ExamSession.objects.select_related("exam"), pk=attempt_id, user=request.user
    )
    services.expire_if_overdue(attempt=attempt)
    return attempt


def _with_questions(responses):
    """Items with their question and options: a fixed number of queries for any length."""
    return responses.select_related("question__topic").prefetch_related(
        Prefetch("question__answers", queryset=Answer.objects.order_by("answer_order", "id"))
    )


def attempt_items(attempt: ExamSession) -> list[UserResponse]:
    return list(_with_questions(attempt.responses.all()))


def item_at(attempt: ExamSession, position: int) -> UserResponse:
    return get_object_or_404(attempt.responses.only("id", "question_id"), position=position)


def attempt_detail(attempt: ExamSession) -> dict:
    items = attempt_items(attempt)
    return s.AttemptDetailSerializer(attempt, context={"attempt": attempt, "items": items}).data


def one_item(attempt: ExamSession, position: int) -> dict:
    # The answer save's reply: load this item only, not the whole attempt.
    item = _with_questions(attempt.responses.filter(position=position)).get()
    return s.ItemSerializer(item, context={"attempt": attempt}).data


ATTEMPT_ID = OpenApiParameter("attempt_id", int, OpenApiParameter.PATH)
POSITION = OpenApiParameter("position", int, OpenApiParameter.PATH, description="1, 2, ...")


class SyllabusView(APIView):
    @extend_schema(responses={200: s.SyllabusSerializer, 404: NOT_FOUND, **COMMON_ERRORS})
    def get(self, request):
        """The current syllabus: its blocks (with weights and exam items) and objectives."""
        syllabus = selectors.current_syllabus()
        if syllabus is None:
            return Response(
                error_body(code="not_found", message="No syllabus is loaded yet."), status=404
            )
        blocks = selectors.syllabus_modules(syllabus=syllabus).order_by("number", "id")
        data = {
            "code": syllabus.code,
            "name": syllabus.name,
            "attribution": syllabus.attribution,
            "blocks": blocks,
        }
        return Response(s.SyllabusSerializer(data).data)


class ExamListView(ListAPIView):
    serializer_class = s.ExamSerializer
    queryset = Exam.objects.none()  # for the schema

    def get_queryset(self):
        return services.offered_exams()

    @extend_schema(responses={200: s.ExamSerializer(many=True), **LIST_ERRORS})
    def get(self, request, *args, **kwargs):
        """The mock exams on offer, with their blueprints (items per block)."""
        return super().get(request, *args, **kwargs)


class ExamDetailView(RetrieveAPIView):
    serializer_class = s.ExamSerializer
    lookup_url_kwarg = "exam_id"
    queryset = Exam.objects.none()  # for the schema

    def get_queryset(self):
        return services.offered_exams()

    @extend_schema(responses={200: s.ExamSerializer, 404: NOT_FOUND, **COMMON_ERRORS})
    def get(self, request, *args, **kwargs):
        """One offered mock exam."""
        return super().get(request, *args, **kwargs)


class AttemptListView(ListAPIView):
    serializer_class = s.AttemptSummarySerializer
    queryset = ExamSession.objects.none()  # for the schema
    filterset_fields = ["mode", "is_completed", "exam"]

    def get_queryset(self):
        return selectors.history(user=self.request.user)

    @extend_schema(responses={200: s.AttemptSummarySerializer(many=True), **LIST_ERRORS})
    def get(self, request, *args, **kwargs):
        """Your history: every exam and practice attempt, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.StartExamSerializer,
        responses={
            201: s.AttemptDetailSerializer,
            200: OpenApiResponse(s.AttemptDetailSerializer, "Your unfinished attempt, resumed."),
            400: NO_QUESTIONS,
            **COMMON_ERRORS,
        },
        examples=[OpenApiExample("Start the mock exam", value={"exam": 1}, request_only=True)],
    )
    def post(self, request):
        """Start a timed mock exam, or resume your unfinished attempt of it."""
        incoming = s.StartExamSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        now = timezone.now()
        attempt = services.start_attempt(
            user=request.user, exam=incoming.validated_data["exam"], now=now
        )
        started = attempt.start_time == now  # else the service resumed an earlier one
        return Response(
            attempt_detail(attempt),
            status=status.HTTP_201_CREATED if started else status.HTTP_200_OK,
        )


class PracticeStartView(APIView):
    @extend_schema(
        request=s.StartPracticeSerializer,
        responses={201: s.AttemptDetailSerializer, 400: BAD_INPUT, **COMMON_ERRORS},
        examples=[
            OpenApiExample(
                "Ten items on objective 2.1",
                value={"objective": "2.1", "count": 10},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        """Start an untimed practice session (the same choices as the practice form)."""
        incoming = s.StartPracticeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        attempt = services.start_practice(user=request.user, choice=incoming.practice_choice())
        return Response(attempt_detail(attempt), status=status.HTTP_201_CREATED)


class AttemptDetailView(APIView):
    @extend_schema(
        parameters=[ATTEMPT_ID],
        responses={200: s.AttemptDetailSerializer, 404: NOT_FOUND, **COMMON_ERRORS},
    )
    def get(self, request, attempt_id: int):
        """An attempt: its items in order (options in this attempt's order), your saved
        answers and flags, and the time left on the server's clock."""
        return Response(attempt_detail(attempt_for_user(request, attempt_id)))


class AnswerView(APIView):
    @extend_schema(
        parameters=[ATTEMPT_ID, POSITION],
        request=s.AnswerRequestSerializer,
        responses={
            200: s.ItemSerializer,
            400: BAD_INPUT,
            404: NOT_FOUND,
            409: FINISHED,
            **COMMON_ERRORS,
        },
        examples=[
            OpenApiExample(
                "Single or multiple choice", value={"choices": [412]}, request_only=True
            ),
            OpenApiExample("Ordering", value={"order": [7, 5, 6]}, request_only=True),
            OpenApiExample("Gaps", value={"gaps": ["range", "i"]}, request_only=True),
        ],
    )
    def put(self, request, attempt_id: int, position: int):
        """Save your answer to one item (idempotent: the same body twice saves it once).
        In practice, the reply carries the item's feedback."""
        attempt = attempt_for_user(request, attempt_id)
        incoming = s.AnswerRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        services.record_answer(
            attempt=attempt,
            question_id=item_at(attempt, position).question_id,
            choice_ids=data.get("choices", ()),
            order_ids=data.get("order", ()),
            gap_texts=data.get("gaps", ()),
        )
        return Response(one_item(attempt, position))


class FlagView(APIView):
    @extend_schema(
        parameters=[ATTEMPT_ID, POSITION],
        request=s.FlagRequestSerializer,
        responses={
            200: s.ItemSerializer,
            400: BAD_INPUT,
            404: NOT_FOUND,
            409: FINISHED,
            **COMMON_ERRORS,
        },
    )
    def put(self, request, attempt_id: int, position: int):
        """Flag an item for review, or remove the flag."""
        attempt = attempt_for_user(request, attempt_id)
        incoming = s.FlagRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.set_flag(
            attempt=attempt,
            question_id=item_at(attempt, position).question_id,
            flagged=incoming.validated_data["flagged"],
        )
        return Response(one_item(attempt, position))


class BatchAnswerView(APIView):
    @extend_schema(
        parameters=[ATTEMPT_ID],
        request=s.BatchRequestSerializer,
        responses={
            200: s.BatchResultSerializer(many=True),
            400: error_response(
                "Some answers break a rule: none was saved; `results` says which.",
                code="batch_invalid",
                message="1 of 30 answers break a rule; none was saved.",
            ),
            404: NOT_FOUND,
            409: FINISHED,
            **COMMON_ERRORS,
        },
        examples=[
            OpenApiExample(
                "Two answers",
                value={
                    "answers": [
                        {"position": 1, "choices": [412]},
                        {"position": 2, "gaps": ["range"]},
                    ]
                },
                request_only=True,
            )
        ],
    )
    def post(self, request, attempt_id: int):
        """Save many answers in one transaction (an offline or mobile client syncing):
        all are validated, and saved only if all are valid; an answer given after the
        deadline (by `answered_at`) is refused on its own."""
        attempt = attempt_for_user(request, attempt_id)
        incoming = s.BatchRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        entries = incoming.validated_data["answers"]
        question_by_position = dict(attempt.responses.values_list("position", "question_id"))
        missing = [
            entry["position"] for entry in entries if entry["position"] not in question_by_position
        ]
        if missing:
            raise AttemptError(
                f"This attempt has no item at position {missing[0]}.", field="answers.position"
            )
        positions = {
            question_by_position[entry["position"]]: entry["position"] for entry in entries
        }
        try:
            outcomes = services.record_answers(
                attempt=attempt,
                answers=[
                    services.AnswerInput(
                        question_id=question_by_position[entry["position"]],
                        choice_ids=entry.get("choices", ()),
                        order_ids=entry.get("order", ()),
                        gap_texts=entry.get("gaps", ()),
                        answered_at=entry.get("answered_at"),
                    )
                    for entry in entries
                ],
            )
        except services.BatchRefused as refused:
            body = error_body(code=refused.code, message=refused.message, field="answers")
            body["results"] = self._results(attempt, refused.outcomes, positions, items={})
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        items = {item.question_id: item for item in attempt_items(attempt)}
        return Response(self._results(attempt, outcomes, positions, items=items))

    def _results(self, attempt, outcomes, positions, *, items) -> list[dict]:
        context = {"attempt": attempt}
        return [
            {
                "position": positions[outcome.question_id],
                "saved": outcome.error is None,
                "error": None
                if outcome.error is None
                else error_body(code=outcome.error.code, message=outcome.error.message)["error"],
                "item": s.ItemSerializer(items[outcome.question_id], context=context).data
                if outcome.error is None and outcome.question_id in items
                else None,
            }
            for outcome in outcomes
        ]


class FinishView(APIView):
    @extend_schema(
        parameters=[ATTEMPT_ID],
        request=None,
        responses={200: s.ReportSerializer, 404: NOT_FOUND, **COMMON_ERRORS},
    )
    def post(self, request, attempt_id: int):
        """Submit the attempt (finishing twice changes nothing) and get its score report."""
        attempt = attempt_for_user(request, attempt_id)
        attempt = services.finish_attempt(attempt=attempt)
        return Response(report(attempt))


class ReportView(APIView):
    @extend_schema(
        parameters=[ATTEMPT_ID],
        responses={200: s.ReportSerializer, 404: NOT_FOUND, 409: NOT_FINISHED, **COMMON_ERRORS},
    )
    def get(self, request, attempt_id: int):
        """The score report: /1000, pass or fail, per block, and every item with its key
        and explanations. Only once the attempt is finished."""
        attempt = attempt_for_user(request, attempt_id)
        if not attempt.is_completed:
            return Response(
                error_body(
                    code="attempt_not_finished",
                    message="The score report appears once the attempt is submitted.",
                ),
                status=status.HTTP_409_CONFLICT,
            )
        return Response(report(attempt))


def report(attempt: ExamSession) -> dict:
    attempt = ExamSession.objects.select_related("exam").get(pk=attempt.pk)
    items = selectors.review_items(attempt=attempt)
    return s.ReportSerializer(attempt, context={"attempt": attempt, "items": items}).data
