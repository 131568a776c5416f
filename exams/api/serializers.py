"""Learner-facing serializers: the syllabus, exams, attempts, items, answers and reports.

Keys never leave through these before they may: an item carries its feedback (correctness,
explanations, the key) only when `selectors.feedback_is_visible` says so. Instructor
serializers, which do carry keys, live apart in instructor_serializers.py.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from exams import drawing, selectors
from exams.models import Exam, ExamSession, Module, Question, Topic


class ObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["code", "name", "description"]


class BlockSerializer(serializers.ModelSerializer):
    objectives = ObjectiveSerializer(source="topics", many=True)

    class Meta:
        model = Module
        fields = ["number", "name", "weight_percent", "exam_items", "objectives"]


class SyllabusSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    attribution = serializers.CharField()
    blocks = BlockSerializer(many=True)


class ExamSerializer(serializers.ModelSerializer):
    time_limit_minutes = serializers.IntegerField(read_only=True)

    class Meta:
        model = Exam
        fields = [
            "id", "code", "title", "description", "time_limit_minutes", "total_questions",
            "pass_percent", "max_score", "blueprint",
        ]  # fmt: skip


class AttemptSummarySerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    started_at = serializers.DateTimeField(source="start_time", allow_null=True)
    finished_at = serializers.DateTimeField(source="end_time", allow_null=True)
    score_percent = serializers.FloatField(source="score")

    class Meta:
        model = ExamSession
        fields = [
            "id", "mode", "exam", "title", "status", "started_at", "deadline", "finished_at",
            "total_questions", "correct_answers", "score_percent", "scaled_score", "passed",
            "time_spent",
        ]  # fmt: skip
        read_only_fields = fields

    def get_title(self, attempt: ExamSession) -> str:
        if attempt.exam_id:
            return attempt.exam.title
        return (attempt.session_data or {}).get("title", "Practice")

    def get_status(self, attempt: ExamSession) -> str:
        return "finished" if attempt.is_completed else "in_progress"


class OptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    text = serializers.CharField()
    html = serializers.CharField(source="html_content", allow_null=True)


class GapPartSerializer(serializers.Serializer):
    text = serializers.CharField(required=False)
    gap = serializers.IntegerField(required=False, help_text="The gap's number (1, 2, ...).")
    value = serializers.CharField(required=False, help_text="The saved text of this gap.")


class GivenAnswerSerializer(serializers.Serializer):
    """What the learner gave for one item: the field of its kind is filled."""

    choices = serializers.ListField(child=serializers.IntegerField(), required=False)
    order = serializers.ListField(child=serializers.IntegerField(), required=False)
    gaps = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False), required=False
    )


def given_answer(item) -> dict:
    stored = item.response_data or {}
    return {key: stored[key] for key in ("choices", "order", "gaps") if key in stored}


class FeedbackOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    text = serializers.CharField()
    is_correct = serializers.BooleanField()
    explanation = serializers.CharField(allow_null=True)
    gap_number = serializers.IntegerField(allow_null=True)


class FeedbackSerializer(serializers.Serializer):
    """The key and explanations of an answered item (selectors.item_feedback)."""

    is_correct = serializers.BooleanField(source="item.is_correct")
    points_earned = serializers.FloatField(source="item.points_earned")
    points = serializers.IntegerField(source="question.points")
    objective = serializers.CharField()
    explanation_html = serializers.CharField(source="question.explanation_html")
    options = FeedbackOptionSerializer(source="answers", many=True)


class ItemSerializer(serializers.Serializer):
    """One item as the learner sees it, with their saved answer and, once allowed, feedback."""

    position = serializers.IntegerField()
    question_id = serializers.IntegerField()
    kind = serializers.CharField(source="question.kind")
    points = serializers.IntegerField(source="question.points")
    choose = serializers.IntegerField(source="question.choose", allow_null=True)
    line_rule = serializers.CharField(
        source="question.line_rule",
        help_text='Select-the-lines items: "raises" or "unexecuted" (empty for other kinds).',
    )
    text_html = serializers.CharField(source="question.html_content", allow_null=True)
    code = serializers.SerializerMethodField()
    gap_parts = serializers.SerializerMethodField()
    options = serializers.SerializerMethodField()
    answer = serializers.SerializerMethodField()
    answered = serializers.SerializerMethodField()
    flagged = serializers.BooleanField(source="is_bookmarked")
    feedback = serializers.SerializerMethodField()

    def get_code(self, item) -> str:
        # A gap or tiles item's code comes as gap_parts: the gaps are where the inputs go.
        if item.question.takes_gap_texts:
            return ""
        return item.question.code_snippet or ""

    @extend_schema_field(GapPartSerializer(many=True))
    def get_gap_parts(self, item) -> list[dict]:
        return selectors.gap_parts(item=item)

    @extend_schema_field(OptionSerializer(many=True))
    def get_options(self, item) -> list[dict]:
        # Tiles: the pool (text only, in the pool's order); lines: each option's text is the
        # number of an offered line of the code.
        if item.question.kind == Question.Kind.GAP:
            return []
        return OptionSerializer(selectors.options_in_attempt_order(item), many=True).data

    @extend_schema_field(GivenAnswerSerializer)
    def get_answer(self, item) -> dict:
        return given_answer(item)

    def get_answered(self, item) -> bool:
        return not item.is_skipped

    @extend_schema_field(FeedbackSerializer(allow_null=True))
    def get_feedback(self, item) -> dict | None:
        if not selectors.feedback_is_visible(attempt=self.context["attempt"], item=item):
            return None
        return FeedbackSerializer(selectors.item_feedback(item=item)).data


class AttemptDetailSerializer(AttemptSummarySerializer):
    seconds_left = serializers.SerializerMethodField()
    answered_count = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()

    class Meta(AttemptSummarySerializer.Meta):
        fields = [*AttemptSummarySerializer.Meta.fields, "seconds_left", "answered_count", "items"]
        read_only_fields = fields

    def get_seconds_left(self, attempt) -> int | None:
        return selectors.seconds_left(attempt=attempt)

    def get_answered_count(self, attempt) -> int:
        return sum(1 for item in self.context["items"] if not item.is_skipped)

    @extend_schema_field(ItemSerializer(many=True))
    def get_items(self, attempt) -> list[dict]:
        return ItemSerializer(self.context["items"], many=True, context=self.context).data


class BlockScoreSerializer(serializers.Serializer):
    number = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    earned = serializers.FloatField()
    possible = serializers.IntegerField()
    percent = serializers.IntegerField()


class ReportSerializer(AttemptSummarySerializer):
    """The score report: the same numbers as the HTML report."""

    max_score = serializers.IntegerField(read_only=True)
    pass_percent = serializers.SerializerMethodField()
    blocks = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()

    class Meta(AttemptSummarySerializer.Meta):
        fields = [
            *AttemptSummarySerializer.Meta.fields, "max_score", "pass_percent", "blocks", "items",
        ]  # fmt: skip
        read_only_fields = fields

    def get_pass_percent(self, attempt) -> int | None:
        return attempt.exam.pass_percent if attempt.exam_id else None

    @extend_schema_field(BlockScoreSerializer(many=True))
    def get_blocks(self, attempt) -> list[dict]:
        return BlockScoreSerializer(selectors.block_breakdown(attempt=attempt), many=True).data

    @extend_schema_field(ItemSerializer(many=True))
    def get_items(self, attempt) -> list[dict]:
        return ItemSerializer(self.context["items"], many=True, context=self.context).data


# --- requests ----------------------------------------------------------------------------


class StartExamSerializer(serializers.Serializer):
    exam = serializers.PrimaryKeyRelatedField(
        queryset=Exam.objects.offered(), help_text="An offered exam's id (GET /exams/)."
    )


class StartPracticeSerializer(serializers.Serializer):
    """The same choices as the practice form on the exams page."""

    objective = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Topic.objects.select_related("module"),
        required=False,
        allow_null=True,
        help_text='An objective code such as "2.1".',
    )
    block = serializers.SlugRelatedField(
        slug_field="number",
        queryset=Module.objects.all(),
        required=False,
        allow_null=True,
        help_text="A block number, 1 to 4.",
    )
    difficulty = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    count = serializers.IntegerField(min_value=1, max_value=drawing.MAX_PRACTICE_ITEMS, default=10)
    mistakes_only = serializers.BooleanField(default=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Codes and numbers are unique within a syllabus: look them up in the current one.
        current = selectors.current_syllabus_ids().values("id")
        self.fields["objective"].queryset = Topic.objects.filter(module__syllabus__in=current)
        self.fields["block"].queryset = Module.objects.filter(syllabus__in=current)

    # The API's names for PracticeChoice's fields, for its problems.
    _FIELD_NAMES = {"topic": "objective", "module": "block"}

    def validate(self, attrs):
        problems = self._choice_from(attrs).problems()
        if problems:
            named = {self._FIELD_NAMES.get(field, field): text for field, text in problems.items()}
            raise serializers.ValidationError(named)
        return attrs

    @staticmethod
    def _choice_from(data) -> drawing.PracticeChoice:
        return drawing.PracticeChoice(
            topic=data.get("objective"),
            module=data.get("block"),
            difficulty=data.get("difficulty"),
            count=data.get("count", 10),
            mistakes_only=data.get("mistakes_only", False),
        )

    def practice_choice(self) -> drawing.PracticeChoice:
        return self._choice_from(self.validated_data)


class AnswerRequestSerializer(GivenAnswerSerializer):
    """choices (single, multiple, insert: option ids; lines: ids of the offered lines), order
    (order) or gaps (gap: typed texts; tiles: the text of the tile placed in each gap, "" for
    an empty gap, each tile at most once): an empty one clears the answer."""


class BatchAnswerSerializer(GivenAnswerSerializer):
    position = serializers.IntegerField(min_value=1)
    answered_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="When the learner gave it (the client's clock); one after the deadline is "
        "refused on its own.",
    )


class BatchRequestSerializer(serializers.Serializer):
    answers = BatchAnswerSerializer(many=True, allow_empty=False, max_length=200)


class BatchResultSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    saved = serializers.BooleanField()
    error = serializers.DictField(allow_null=True, help_text="The error envelope's inner part.")
    item = ItemSerializer(allow_null=True)


class FlagRequestSerializer(serializers.Serializer):
    flagged = serializers.BooleanField()
