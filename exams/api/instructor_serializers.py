"""Serializers of the instructor API: authored questions (keys and explanations included),
import reports, item statistics and cohort results.

Question input is not validated here: it is the content format (docs/content-format.md),
and the importer's one validation pass checks it (exams.content.authoring). The write
serializers below document that shape for the schema and read only the API's own fields.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from exams.models import Answer, Exam, ExamSession, Question
from exams.statistics import date_range_problem, default_cohort_range

# Keys of a question write that are the API's, not the content format's.
PLACEMENT_FIELDS = ("exam", "is_active")


class AuthoredAnswerSerializer(serializers.ModelSerializer):
    pk = serializers.IntegerField(read_only=True)
    id = serializers.CharField(source="original_id", help_text="Stable id within its question.")
    html = serializers.CharField(source="html_content", help_text="The text as shown (escaped).")
    correct = serializers.BooleanField(source="is_correct")
    gap = serializers.IntegerField(source="gap_number", allow_null=True)

    class Meta:
        model = Answer
        fields = ["pk", "id", "text", "html", "correct", "raises", "gap", "explanation"]
        read_only_fields = fields


class AuthoredQuestionSerializer(serializers.ModelSerializer):
    """A question as instructors see it: its content, key, explanations and status."""

    pk = serializers.IntegerField(read_only=True, help_text="The id in this API's URLs.")
    # Questions authored before ids were given, or without code, hold NULL in these columns.
    id = serializers.CharField(
        source="original_id", allow_null=True, help_text="The stable content id."
    )
    objective = serializers.CharField(source="topic.code", default="")
    block = serializers.IntegerField(source="topic.module.number", default=None, allow_null=True)
    html = serializers.CharField(
        source="html_content", allow_null=True, help_text="The stem rendered."
    )
    code = serializers.CharField(source="code_snippet", default="", allow_null=True)
    output = serializers.CharField(source="expected_output", allow_null=True)
    verify = serializers.CharField(source="verify_mode")
    answers = AuthoredAnswerSerializer(many=True)

    class Meta:
        model = Question
        fields = [
            "pk", "id", "exam", "objective", "block", "kind", "difficulty", "points", "text",
            "html", "code", "stdin", "choose", "answers", "output", "verify", "verify_reason",
            "verification_status", "explanation", "explanation_html", "is_active",
            "question_order", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class AnswerDocumentSerializer(serializers.Serializer):
    id = serializers.CharField(required=False, help_text="Defaults to a, b, c… by position.")
    text = serializers.CharField()
    correct = serializers.BooleanField(required=False, default=False)
    raises = serializers.CharField(required=False)
    explanation = serializers.CharField()


class GapDocumentSerializer(serializers.Serializer):
    accepted = serializers.ListField(child=serializers.CharField())
    explanation = serializers.CharField()


class QuestionDocumentSerializer(serializers.Serializer):
    """One question of a content file (docs/content-format.md), as JSON."""

    id = serializers.CharField(help_text="Stable id, unique across all questions.")
    objective = serializers.CharField(help_text='Objective code, e.g. "1.3".')
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    difficulty = serializers.IntegerField(min_value=1, max_value=5)
    points = serializers.ChoiceField(choices=Question._meta.get_field("points").choices)
    text = serializers.CharField(help_text="The stem, in Markdown.")
    code = serializers.CharField(required=False)
    stdin = serializers.CharField(required=False)
    choose = serializers.IntegerField(required=False, help_text="Multiple choice only.")
    answers = AnswerDocumentSerializer(many=True, required=False)
    gaps = GapDocumentSerializer(many=True, required=False, help_text="Gap questions only.")
    output = serializers.CharField(required=False)
    verify = serializers.ChoiceField(choices=Question.VerifyMode.choices)
    verify_reason = serializers.CharField(required=False)
    explanation = serializers.CharField(help_text="Markdown: why the key is right.")


class QuestionPlacementSerializer(serializers.Serializer):
    """The API's own keys of a question write: which set it is in, and whether it is active."""

    exam = serializers.PrimaryKeyRelatedField(
        queryset=Exam.objects.all(),
        required=False,
        help_text="The question set (exam) it belongs to: required to create; fixed after.",
    )
    is_active = serializers.BooleanField(
        required=False, help_text="False retires it (learners' history keeps it)."
    )


class QuestionWriteSerializer(QuestionDocumentSerializer, QuestionPlacementSerializer):
    """For the schema: a content-format question plus the API's placement keys."""


class PatchedQuestionWriteSerializer(QuestionWriteSerializer):
    """For the schema: any of the keys; those left out keep their current value."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, partial=True, **kwargs)


class ContentProblemSerializer(serializers.Serializer):
    file = serializers.CharField(source="path", allow_blank=True)
    line = serializers.IntegerField(allow_null=True)
    question_id = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    files = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    retired = serializers.IntegerField()
    exams_created = serializers.IntegerField()
    exams_updated = serializers.IntegerField()
    problems = ContentProblemSerializer(many=True)
    confirmation = serializers.CharField(
        allow_null=True,
        help_text="A clean dry run's signed permission to apply (POST /imports/apply/).",
    )


class ImportFileSerializer(serializers.Serializer):
    """A question file, uploaded (multipart field `file`) or as JSON text."""

    file = serializers.FileField(required=False, help_text="The YAML file (multipart).")
    file_name = serializers.CharField(required=False, help_text="With `content`: its name.")
    content = serializers.CharField(
        required=False, trim_whitespace=False, help_text="The file's text (JSON requests)."
    )

    def validate(self, data: dict) -> dict:
        upload = data.get("file")
        if upload is not None:
            return {**data, "file_name": upload.name, "content": upload.read()}
        if "file_name" not in data or "content" not in data:
            raise serializers.ValidationError(
                "Send the file as multipart field 'file', or as JSON 'file_name' and 'content'."
            )
        return {**data, "content": data["content"].encode("utf-8")}


class ImportRequestSerializer(ImportFileSerializer):
    dry_run = serializers.BooleanField(
        required=False, default=True, help_text="Only check (the default); false imports at once."
    )


class ImportApplySerializer(ImportFileSerializer):
    confirmation = serializers.CharField(help_text="From the dry run's report.")


class VerificationProblemSerializer(serializers.Serializer):
    message = serializers.CharField()
    expected = serializers.CharField()
    actual = serializers.CharField()


class VerificationSerializer(serializers.Serializer):
    id = serializers.CharField(source="question_id")
    verification_status = serializers.ChoiceField(
        source="status", choices=Question.VerificationStatus.choices
    )
    problems = VerificationProblemSerializer(many=True)


class OptionStatisticsSerializer(serializers.Serializer):
    pk = serializers.IntegerField(source="answer.pk")
    id = serializers.CharField(source="answer.original_id", allow_null=True)
    text = serializers.CharField(source="answer.text")
    correct = serializers.BooleanField(source="answer.is_correct")
    count = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True, help_text="Of all answers, 0 to 1.")


class ItemStatisticsSerializer(serializers.Serializer):
    times_answered = serializers.IntegerField()
    facility = serializers.FloatField(allow_null=True, help_text="Share answered correctly.")
    discrimination = serializers.FloatField(
        allow_null=True, help_text="Item vs rest-of-exam correlation (finished exams)."
    )
    average_time = serializers.FloatField(allow_null=True, help_text="Seconds.")
    flags = serializers.ListField(child=serializers.CharField())
    options = OptionStatisticsSerializer(many=True, help_text="Choice questions only.")


class AttemptResultSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    exam_title = serializers.CharField(source="exam.title", default=None, allow_null=True)
    max_score = serializers.IntegerField(read_only=True)
    started_at = serializers.DateTimeField(source="start_time", allow_null=True)
    finished_at = serializers.DateTimeField(source="end_time", allow_null=True)
    score = serializers.FloatField(help_text="Percentage of points earned.")

    class Meta:
        model = ExamSession
        fields = [
            "id", "user", "username", "exam", "exam_title", "mode", "started_at",
            "finished_at", "time_spent", "score", "scaled_score", "max_score", "passed",
            "points_earned", "points_possible", "correct_answers", "total_questions",
        ]  # fmt: skip
        read_only_fields = fields


class DateRangeSerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="First day; default 29 days ago.")
    end = serializers.DateField(required=False, help_text="Last day, included; default today.")

    def validate(self, data: dict) -> dict:
        default_start, default_end = default_cohort_range()
        data = {"start": default_start, "end": default_end, **data}
        problem = date_range_problem(start=data["start"], end=data["end"])
        if problem:
            raise serializers.ValidationError(problem)
        return data


class ObjectiveWeaknessSerializer(serializers.Serializer):
    objective = serializers.CharField(source="objective_code")
    name = serializers.CharField(source="objective_name")
    block = serializers.IntegerField(source="block_number", allow_null=True)
    responses = serializers.IntegerField()
    correct = serializers.IntegerField()
    share_correct = serializers.FloatField(allow_null=True, help_text="None: nobody answered.")


@extend_schema_field(serializers.CharField())
class YamlText(serializers.Field):
    """Only for the schema: the export's body is YAML text."""
